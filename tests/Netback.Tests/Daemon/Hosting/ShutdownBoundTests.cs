using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Netback.Tests.Support;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Hosting;

/// <summary>
/// A stop (SIGTERM) ends within Netback:ShutdownTimeoutSeconds whatever the frontends do: one that
/// never sends its Connect, one that never reads, and even a vif whose teardown does not finish.
/// Serial: one test finds the backend's socket among this process's fds.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ShutdownBoundTests
{
    [Fact]
    public async Task Stop_is_quick_with_a_frontend_that_never_sends_Connect_and_one_that_never_reads()
    {
        var backend = new InProcessBackend(o => o.HandshakeTimeoutSeconds = 60, bounds: b => b.ShutdownTimeoutSeconds = 3);
        using var neighbour = HostileFrontend.Connect(backend.SocketPath);
        using var pending = HostileFrontend.Open(backend.SocketPath);
        var before = BackendEnd.Snapshot();
        using var stuck = HostileFrontend.Connect(backend.SocketPath);
        using (var end = BackendEnd.Find(backend.SocketPath, before))
        {
            BackendEnd.FillSendQueue(end);
        }
        Assert.True(backend.WaitForVifCount(2, Patience));

        var clock = Stopwatch.StartNew();
        await backend.DisposeAsync();
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"stopping took {clock.ElapsedMilliseconds} ms\n{AllLogs(backend)}");
        Assert.Equal(0, backend.Registry.Count);
        AssertReason(pending.ReceiveControl(), ControlMessageType.State, XenbusState.Closing, "backend is shutting down");
        Assert.True(pending.WaitForEof());
        AssertReason(neighbour.ReceiveControl(), ControlMessageType.State, XenbusState.Closing, "backend is shutting down");
        Assert.True(neighbour.WaitForEof());
    }

    [Fact]
    public async Task Stop_returns_within_its_bound_even_when_a_vif_teardown_does_not_finish()
    {
        var backend = new InProcessBackend(bounds: b => b.ShutdownTimeoutSeconds = 1, dataPath: new StuckDataPath());
        using var f = HostileFrontend.Connect(backend.SocketPath);
        Assert.True(backend.WaitForVifCount(1, Patience));

        var clock = Stopwatch.StartNew();
        await backend.DisposeAsync();
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"stopping took {clock.ElapsedMilliseconds} ms with a 1 s bound\n{AllLogs(backend)}");
        Assert.Contains(backend.Logs.Entries, e => e.Level == LogLevel.Error
            && e.Message.Contains(f.VifName, StringComparison.Ordinal) && e.Message.Contains("did not finish within 1 s", StringComparison.Ordinal));
        AssertReason(f.ReceiveControl(), ControlMessageType.State, XenbusState.Closing, "backend is shutting down");
    }
}
