using Netback.Tests.Support;
using Netfront.Client;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Client;

/// <summary>
/// <c>netfront attach --threads split</c>'s drivers: one queue run by two threads, guest TX on one and
/// guest RX on the other, each asleep on its own call eventfd; both directions keep flowing and no
/// wake-up is lost. One direction per driver needs split event channels, and says so.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SplitDriverTests
{
    [Theory]
    [InlineData("per-queue")]
    [InlineData("split")]
    public async Task Two_drivers_on_one_queue_carry_every_frame_both_ways(string backendThreads)
    {
        await using var backend = new InProcessBackend(o => o.Threads = backendThreads);
        using var device = Healthy(backend);
        using var echo = HostEcho.Start(backend.Host(device.VifName));
        const int Count = 20_000;
        var tally = new SplitTally(Count);
        var work = new SplitSideWork(tally, Frames.Make(1, 5, 200));
        using var tx = new NetfrontQueueDriver<SplitSideWork>(device.Queues[0], work, sides: NetfrontDriverSides.Tx);
        using var rx = new NetfrontQueueDriver<SplitSideWork>(device.Queues[0], work, sides: NetfrontDriverSides.Rx);
        Assert.Equal("netfront-q0-tx", tx.ThreadName);
        Assert.Equal("netfront-q0-rx", rx.ThreadName);
        rx.Start();
        tx.Start();
        // A window of frames in flight: nothing is dropped, so a lost wake-up is a stall.
        Assert.True(Eventually(() => Volatile.Read(ref tally.Received) == Count,
            TimeSpan.FromSeconds(30)), $"sent {tally.Sent}, received {tally.Received} of {Count}");
        Assert.True(tx.IsRunning && rx.IsRunning, $"a driver ended: {tx.Failure ?? rx.Failure}");
    }

    [Fact]
    public async Task One_direction_per_driver_needs_split_event_channels()
    {
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, SplitEventChannels = false, HandshakeTimeout = Patience });
        var work = new SplitSideWork(new SplitTally(1), Frames.Make(1, 5, 60));
        var e = Assert.Throws<ArgumentException>(() => new NetfrontQueueDriver<SplitSideWork>(device.Queues[0], work, sides: NetfrontDriverSides.Rx));
        Assert.Contains("needs split event channels", e.Message, StringComparison.Ordinal);
    }
}
