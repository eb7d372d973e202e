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
        var deadline = DateTime.UtcNow + Wait;
        while (queue.TxInFlight > 0 && DateTime.UtcNow < deadline)
        {
            if (queue.ReclaimTxResponses() == 0 && !queue.FinalCheckForTxResponses())
            {
                FrontendDriver.WaitForCall(queue, 200);
            }
        }
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
        string? error = null;
        long[] hostReceived = new long[1];
        int window = Burst.HostWindow(1514);
        var reader = new Thread(() =>
        {
            try
            {
                for (uint seq = 0; seq < count; seq++)
                {
                    byte[] got = FrontendDriver.HostReceive(host, Wait);
                    error ??= Frames.Check(got, seq, 4, Frames.SizeOf(seq));
                    Volatile.Write(ref hostReceived[0], seq + 1);
                }
            }
            catch (Exception e)
            {
                error ??= e.Message;
            }
        });
        reader.Start();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        for (uint seq = 0; seq < count; seq++)
        {
            int token;
            Span<byte> page;
            while (seq - Volatile.Read(ref hostReceived[0]) >= window)
            {
                queue.PushTransmits(); // the host must see what is queued to make room
                Assert.True(DateTime.UtcNow < deadline, "the host stopped reading");
                FrontendDriver.WaitForCall(queue, 1);
            }
            while (!queue.TryBeginSend(out page, out token))
            {
                queue.PushTransmits();
                if (queue.ReclaimTxResponses() == 0 && !queue.FinalCheckForTxResponses())
                {
                    Assert.True(DateTime.UtcNow < deadline, "no TX slot came back");
                    FrontendDriver.WaitForCall(queue, 200);
                }
            }
            queue.CommitSend(token, Frames.Fill(page, seq, 4, Frames.SizeOf(seq)));
            if (seq % 16 == 15)
            {
                queue.PushTransmits();
            }
        }
        queue.PushTransmits();
        Assert.True(reader.Join(TimeSpan.FromSeconds(60)), "the host did not receive every frame");
        Assert.True(error is null, $"{error} (TX dropped by the backend: {queue.Counters.TxStatusDropped})");
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

/// <summary>
/// A full-duplex burst on one queue: a host writer and reader thread on the socketpair "TAP" and the
/// frontend driven on the calling thread by a poll loop, every frame checked for content and order.
/// </summary>
internal static class Burst
{
    /// <summary>
    /// Frames of up to <paramref name="maxSize"/> bytes the host may leave unread: the backend end's
    /// SO_SNDBUF over a frame's cost in it (data plus skb overhead), kept under half to be safe.
    /// </summary>
    public static int HostWindow(int maxSize) =>
        Math.Max(8, Netback.Tests.Support.TapSocketPair.BackendSendBuffer / 2 / (maxSize + maxSize / 4 + 1024));

    internal sealed record Result(string? Error, TimeSpan Elapsed, long TxBytes, long RxBytes, long Waits);

    public static Result Run(NetfrontQueue queue, HostTap host, int toGuest, int fromGuest, TimeSpan timeout,
        int minSize = 60, int maxSize = 1514, Action? onWarm = null)
    {
        string? hostError = null;
        long[] hostReceived = new long[1];
        int window = Burst.HostWindow(maxSize);
        long expectedRx = 0;
        long expectedTx = 0;
        for (uint s = 0; s < toGuest; s++)
        {
            expectedRx += Frames.SizeOf(s, minSize, maxSize);
        }
        for (uint s = 0; s < fromGuest; s++)
        {
            expectedTx += Frames.SizeOf(s, minSize, maxSize);
        }
        host.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        host.SendTimeout = (int)timeout.TotalMilliseconds;
        var writer = new Thread(() =>
        {
            byte[] buffer = new byte[maxSize];
            try
            {
                for (uint seq = 0; seq < toGuest; seq++)
                {
                    int size = Frames.SizeOf(seq, minSize, maxSize);
                    host.Send(buffer, 0, Frames.Fill(buffer, seq, 0xA1, size), SocketFlags.None);
                }
            }
            catch (Exception e)
            {
                hostError ??= $"host writer: {e.Message}";
            }
        }) { IsBackground = true, Name = "burst-host-writer" };
        var reader = new Thread(() =>
        {
            byte[] buffer = new byte[65536];
            try
            {
                for (uint seq = 0; seq < fromGuest; seq++)
                {
                    int n = host.Receive(buffer);
                    string? e = Frames.Check(buffer.AsSpan(0, n), seq, 0xB2, Frames.SizeOf(seq, minSize, maxSize));
                    if (e is not null)
                    {
                        hostError ??= $"host reader: {e}";
                        return;
                    }
                    Volatile.Write(ref hostReceived[0], seq + 1);
                }
            }
            catch (Exception e)
            {
                hostError ??= $"host reader: {e.Message}";
            }
        }) { IsBackground = true, Name = "burst-host-reader" };

        var clock = Stopwatch.StartNew();
        writer.Start();
        reader.Start();
        byte[] frame = new byte[maxSize];
        string? error = Drive(queue, frame, toGuest, fromGuest, 0xA1, 0xB2, minSize, maxSize, timeout, out long waits,
            hostProgress: hostReceived, window: window);
        bool joined = writer.Join(timeout) & reader.Join(timeout);
        clock.Stop();
        error ??= hostError ?? (joined ? null : "the host threads did not finish");
        return new Result(error, clock.Elapsed, expectedTx, expectedRx, waits);
    }

    /// <summary>
    /// The frontend's loop: reclaim, send what fits, push, receive what arrived; when nothing moved,
    /// the final checks and then poll(2) on the call fds. Allocation-free (the caller owns
    /// <paramref name="frame"/>); returns an error text or null.
    /// </summary>
    public static string? Drive(NetfrontQueue queue, byte[] frame, int toGuest, int fromGuest, byte rxStream, byte txStream,
        int minSize, int maxSize, TimeSpan timeout, out long waits, uint first = 0, long[]? hostProgress = null, int window = 0)
    {
        // Frames are numbered from first: toGuest and fromGuest count from there.
        waits = 0;
        uint sent = first;
        uint received = first;
        toGuest += (int)first;
        fromGuest += (int)first;
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        int nextSize = fromGuest > first ? Frames.Fill(frame, first, txStream, Frames.SizeOf(first, minSize, maxSize)) : 0;
        while (sent < fromGuest || received < toGuest)
        {
            bool progress = queue.ReclaimTxResponses() > 0;
            // The host end is a socket with a bounded buffer where a real TAP has the kernel's stack:
            // keep at most `window` frames unread by the host (its reader's count, or ours for a reflector).
            long hostDone = hostProgress is null ? received : Volatile.Read(ref hostProgress[0]);
            bool windowFull = window > 0 && sent - hostDone >= window;
            while (sent < fromGuest && !windowFull && queue.TrySend(frame.AsSpan(0, nextSize)))
            {
                progress = true;
                sent++;
                windowFull = window > 0 && sent - hostDone >= window;
                if (sent < fromGuest)
                {
                    nextSize = Frames.Fill(frame, sent, txStream, Frames.SizeOf(sent, minSize, maxSize));
                }
            }
            queue.PushTransmits();
            int budget = 64;
            while (budget-- > 0 && queue.TryReceive(out var rx))
            {
                progress = true;
                if (received >= toGuest)
                {
                    return $"an extra frame arrived after {toGuest}";
                }
                string? e = Frames.Check(rx, received, rxStream, Frames.SizeOf(received, minSize, maxSize));
                if (e is not null)
                {
                    return $"guest: {e}";
                }
                received++;
            }
            if (progress)
            {
                continue;
            }
            // Nothing moved: arm the events and look once more before sleeping (ring.h FINAL_CHECK).
            bool rxWork = queue.FinalCheckForRxResponses();
            bool txWork = sent < fromGuest && queue.FinalCheckForTxResponses();
            if (rxWork || txWork)
            {
                continue;
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return $"timed out: sent {sent}/{fromGuest}, received {received}/{toGuest}, TX in flight {queue.TxInFlight}";
            }
            waits++;
            // Host progress does not signal a call fd: look again soon while the window is what stops TX.
            FrontendDriver.WaitForCall(queue, windowFull ? 1 : 200);
        }
        return null;
    }
}
