using Netback.Tests.Support;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// A vif whose worker does not stop is not reported gone: it keeps its registry entry (its name and
/// ids stay taken) and the session says so in one Error line instead of "TAP removed".
/// </summary>
public sealed class TeardownTruthTests
{
    [Fact]
    public async Task A_vif_whose_worker_does_not_stop_keeps_its_entry_and_is_logged_as_kept()
    {
        await using var backend = new InProcessBackend(dataPath: new StuckDataPath());
        using (var f = HostileFrontend.Connect(backend.SocketPath))
        {
            Assert.True(backend.WaitForVifCount(1, Patience));
        }
        // The frontend has gone: the teardown waits its 5 s for the worker, then keeps the vif.
        Assert.True(Eventually(() => AllLogs(backend).Contains("but kept", StringComparison.Ordinal), TimeSpan.FromSeconds(15)),
            AllLogs(backend));
        Assert.Equal(1, backend.Registry.Count);
        Assert.DoesNotContain("TAP removed", AllLogs(backend), StringComparison.Ordinal);
        Assert.Contains("stuck-q0", AllLogs(backend), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_honest_teardown_releases_the_entry()
    {
        await using var backend = new InProcessBackend();
        using (var f = HostileFrontend.Connect(backend.SocketPath))
        {
            Assert.True(backend.WaitForVifCount(1, Patience));
        }
        Assert.True(backend.WaitForVifCount(0, Patience), AllLogs(backend));
        Assert.Contains("TAP removed", AllLogs(backend), StringComparison.Ordinal);
    }
}
