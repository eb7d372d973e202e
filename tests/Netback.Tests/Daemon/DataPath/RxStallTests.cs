using Netback.Tests.Client;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// A frontend that stops posting RX buffers (netback's rx_stall_timeout / rx_drain_timeout): frames
/// that waited the drain timeout are dropped, the queue is declared stalled after the stall timeout,
/// and it is ready again, with traffic flowing, as soon as buffers come back.
/// </summary>
public sealed class RxStallTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Stalled_rx_drops_waiting_frames_then_recovers_when_buffers_return()
    {
        await using var backend = new InProcessBackend(o =>
        {
            o.RxStallTimeoutMs = 300;
            o.RxDrainTimeoutMs = 200;
        });
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        var queue = device.Queues[0];
        var host = backend.Host(device.VifName);
        var counters = backend.Registry.Snapshot().Single().Queues[0].Counters;

        // The frontend receives nothing: its 256 posted buffers fill up (with TSO on the backend needs
        // 18 per frame), the rest waits in the "TAP".
        for (uint i = 0; i < 400; i++)
        {
            host.Send(Frames.Make(i, 3, 200));
        }
        var deadline = DateTime.UtcNow + Wait;
        bool Logged() => DaemonTestKit.Warnings(backend).Any(w => w.Contains("guest Rx stalled", StringComparison.Ordinal));
        // The worker counts first and logs right after, on its own thread: wait for both.
        while ((counters.RxStalls == 0 || counters.RxStallDrops == 0 || !Logged()) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }
        Assert.Equal(1, counters.RxStalls);
        Assert.True(counters.RxStallDrops > 0, "no waiting frame was dropped after the drain timeout");
        Assert.True(counters.RxPackets + counters.RxStallDrops <= 400);
        Assert.Contains(DaemonTestKit.Warnings(backend), w => w.Contains("guest Rx stalled", StringComparison.Ordinal));

        // Buffers come back: everything delivered before the stall arrives, then new traffic flows.
        long delivered = counters.RxPackets;
        for (long i = 0; i < delivered; i++)
        {
            _ = FrontendDriver.ReceiveOne(queue, Wait);
        }
        host.Send(Frames.Make(1000, 3, 300));
        byte[] after = FrontendDriver.ReceiveOne(queue, Wait);
        Assert.Null(Frames.Check(after, 1000, 3, 300));
        deadline = DateTime.UtcNow + Wait;
        while (!DaemonTestKit.AllLogs(backend).Contains("guest Rx ready", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }
        Assert.Contains("guest Rx ready", DaemonTestKit.AllLogs(backend), StringComparison.Ordinal);
        Assert.Equal(1, counters.RxStalls);
    }
}
