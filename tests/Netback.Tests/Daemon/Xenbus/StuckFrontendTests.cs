using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Netback.Tests.Support;
using Ring.Shared.Abi;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// A frontend that stops reading its control socket cannot hold its session: once its queue is full
/// (played here by filling the backend's end of it), the backend's next send fails at once, the
/// session ends with a Warning saying why, the vif goes, and the other frontends carry on. Serial:
/// it finds the backend's socket among this process's fds.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class StuckFrontendTests
{
    [Fact]
    public async Task A_frontend_that_does_not_read_loses_its_vif_when_the_backend_must_tell_it_something()
    {
        await using var backend = new InProcessBackend();
        using var neighbour = Healthy(backend);
        var before = BackendEnd.Snapshot();
        using var stuck = HostileFrontend.Connect(backend.SocketPath);
        using var end = BackendEnd.Find(backend.SocketPath, before);
        Assert.True(BackendEnd.FillSendQueue(end) > 0);
        Assert.True(backend.WaitForVifCount(2, Patience));

        // The backend must now say Closing: a fatal error on the stuck frontend's ring breaks its vif.
        var clock = Stopwatch.StartNew();
        stuck.ProduceTx(0, 0, NetTxFlags.None, 1, 60); // gref 0 is a ring page: fatal
        stuck.PushTx();

        Assert.True(backend.WaitForVifCount(1, TimeSpan.FromSeconds(5)),
            $"the stuck frontend's vif is still there {clock.ElapsedMilliseconds} ms after it broke\n{AllLogs(backend)}");
        Assert.DoesNotContain(backend.Registry.Snapshot(), v => v.Name == stuck.VifName);
        Assert.Contains(backend.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("does not read its control socket", StringComparison.Ordinal));
        AssertPassesFramesBothWays(backend, neighbour, 0x50);
    }
}
