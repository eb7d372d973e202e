using System.Diagnostics;
using System.Net.Sockets;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// The frontend's data path against the real backend: bursts through a 256-slot ring (wrap, flow
/// control, notification suppression), multi-slot jumbo frames, the zero-copy TX path, counters.
/// </summary>
public sealed class DataPathTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_burst_of_20000_frames_each_way_arrives_intact_in_order_with_fewer_notifications_than_packets()
    {
        const int count = 20_000;
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        var queue = device.Queues[0];
        Assert.Equal(256, queue.TxRingSize);
        Assert.Equal(256, queue.RxRingSize);
        var host = backend.Host(device.VifName);

        var result = Burst.Run(queue, host, count, count, TimeSpan.FromSeconds(90));

        var c = queue.Counters;
        Assert.True(result.Error is null, $"{result.Error} (TX dropped by the backend: {c.TxStatusDropped})");
        Assert.Equal(count, c.TxPackets);
        Assert.Equal(count, c.RxPackets);
        Assert.Equal(result.TxBytes, c.TxBytes);
        Assert.Equal(result.RxBytes, c.RxBytes);
        Assert.Equal(0, c.TxStatusErrors + c.TxStatusDropped);
        Assert.Equal(0, c.RxDropsStatusError + c.RxDropsBadId + c.RxDropsBadResponse + c.RxDropsOversize);
        Assert.True(c.TxRingFull > 0 || result.Waits > 0, "the burst never filled the ring nor waited: it did not test flow control");

        double kicksPerPacket = (double)c.NotificationsSent / (2.0 * count);
        double callsPerPacket = (double)c.NotificationsReceived / (2.0 * count);
        output.WriteLine($"{count} frames each way in {result.Elapsed.TotalMilliseconds:0} ms; "
            + $"kicks sent {c.NotificationsSent} (tx {c.TxKicks}, rx {c.RxKicks}) = {kicksPerPacket:0.0000}/packet; "
            + $"calls drained {c.NotificationsReceived} = {callsPerPacket:0.0000}/packet; "
            + $"poll sleeps {result.Waits}, tx ring full {c.TxRingFull}");
        Assert.True(c.TxKicks < count, $"{c.TxKicks} TX kicks for {count} frames: suppression is not working");
        Assert.True(c.RxKicks < count, $"{c.RxKicks} RX kicks for {count} frames: suppression is not working");
        Assert.True(c.NotificationsReceived < 2L * count, $"{c.NotificationsReceived} calls for {2 * count} frames");
    }

    [Fact]
    public async Task Jumbo_frames_over_one_page_cross_both_ways_intact()
    {
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, VifSpec = "mtu=9000" });
        Assert.Equal(9000, device.Mtu);
        var queue = device.Queues[0];
        var host = backend.Host(device.VifName);
        int[] sizes = [4097, 5000, 8192, 8193, 9014, 60, 4096, 1514, 9014];

        // guest -> host: multi-slot TX with more_data.
        for (int i = 0; i < sizes.Length; i++)
        {
            FrontendDriver.SendOne(queue, Frames.Make((uint)i, 1, sizes[i]), Wait);
        }
        for (int i = 0; i < sizes.Length; i++)
        {
            byte[] got = FrontendDriver.HostReceive(host, Wait);
            Assert.True(Frames.Check(got, (uint)i, 1, sizes[i]) is null, Frames.Check(got, (uint)i, 1, sizes[i]));
        }

        // host -> guest: multi-slot RX gathered by the frontend.
        for (int i = 0; i < sizes.Length; i++)
        {
            host.Send(Frames.Make((uint)i, 2, sizes[i]));
        }
        for (int i = 0; i < sizes.Length; i++)
        {
            byte[] got = FrontendDriver.ReceiveOne(queue, Wait);
            Assert.True(Frames.Check(got, (uint)i, 2, sizes[i]) is null, Frames.Check(got, (uint)i, 2, sizes[i]));
        }
        Assert.Equal(sizes.Length, queue.Counters.TxPackets);
        Assert.Equal(sizes.Length, queue.Counters.RxPackets);
        Assert.Equal(sizes.Sum(), queue.Counters.TxBytes);
        Assert.Equal(sizes.Sum(), queue.Counters.RxBytes);
        Assert.Equal(0, queue.Counters.RxDropsOversize + queue.Counters.RxDropsBadResponse);
    }

    [Fact]
    public async Task A_burst_of_jumbo_frames_wraps_the_ring_intact()
    {
        const int count = 2_000;
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, VifSpec = "mtu=9000" });
        var queue = device.Queues[0];
        var host = backend.Host(device.VifName);

        var result = Burst.Run(queue, host, count, count, TimeSpan.FromSeconds(90), minSize: 60, maxSize: 9014);

        Assert.True(result.Error is null, result.Error);
        Assert.Equal(count, queue.Counters.TxPackets);
        Assert.Equal(count, queue.Counters.RxPackets);
    }

    [Fact]
    public async Task Zero_copy_send_fills_the_granted_page_in_place()
    {
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        var queue = device.Queues[0];
        var host = backend.Host(device.VifName);
        int free = queue.FreeTxSlots;

        Assert.True(queue.TryBeginSend(out var buffer, out int token));
        Assert.Equal(NetfrontQueue.MaxSlotFrame, buffer.Length);
        Assert.Equal(free - 1, queue.FreeTxSlots);
        int length = Frames.Fill(buffer, 42, 3, 1000);
        queue.CommitSend(token, length);
        Assert.Throws<InvalidOperationException>(() => queue.CommitSend(token, length)); // committed once only
        queue.PushTransmits();

        byte[] got = FrontendDriver.HostReceive(host, Wait);
        Assert.True(Frames.Check(got, 42, 3, 1000) is null, Frames.Check(got, 42, 3, 1000));
        Assert.Equal(1, queue.Counters.TxPackets);
        Assert.Equal(1000, queue.Counters.TxBytes);

        // A cancelled reservation gives the slot back and sends nothing.
        Assert.True(queue.TryBeginSend(out _, out int cancelled));
        queue.CancelSend(cancelled);
        Assert.Equal(1, queue.Counters.TxPackets);

        // Reclaim: every slot comes back once the backend answered.
        FrontendDriver.ReclaimAll(queue, Wait);
        Assert.Equal(0, queue.TxInFlight);
        Assert.Equal(free, queue.FreeTxSlots);
    }

    [Fact]
    public async Task Zero_copy_sends_wrap_the_ring_and_arrive_in_order()
    {
        const int count = 1000;
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        var queue = device.Queues[0];
        var host = backend.Host(device.VifName);

        // Every frame written in place into its granted page (TryBeginSend/CommitSend) by the driver's work.
        var result = Burst.Run(queue, host, 0, count, TimeSpan.FromSeconds(60), zeroCopy: true);

        Assert.True(result.Error is null, $"{result.Error} (TX dropped by the backend: {queue.Counters.TxStatusDropped})");
        Assert.Equal(count, queue.Counters.TxPackets);
    }

    [Fact]
    public async Task Counters_count_packets_and_bytes_per_queue()
    {
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, Queues = 2 });
        var q0 = device.Queues[0];
        var q1 = device.Queues[1];
        FrontendDriver.SendOne(q1, Frames.Make(0, 9, 300), Wait);
        FrontendDriver.SendOne(q1, Frames.Make(1, 9, 200), Wait);
        _ = FrontendDriver.HostReceive(backend.Host(device.VifName, 1), Wait);
        _ = FrontendDriver.HostReceive(backend.Host(device.VifName, 1), Wait);
        backend.Host(device.VifName, 1).Send(Frames.Make(2, 9, 700));
        _ = FrontendDriver.ReceiveOne(q1, Wait);

        Assert.Equal((2, 500, 1, 700), (q1.Counters.TxPackets, q1.Counters.TxBytes, q1.Counters.RxPackets, q1.Counters.RxBytes));
        Assert.Equal((0, 0, 0, 0), (q0.Counters.TxPackets, q0.Counters.TxBytes, q0.Counters.RxPackets, q0.Counters.RxBytes));
        Assert.True(q1.Counters.TxKicks >= 1, "the backend was never kicked for TX");
        Assert.True(q1.Counters.RxKicks >= 1, "the initial RX kick is not counted");
    }
}
