using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// <see cref="NetfrontAsyncDevice"/>: frames both ways through the real backend, flow hashing over
/// queues, back-pressure on both rings, cancellation, and the backend's end as the reader sees it.
/// </summary>
public sealed class AsyncDeviceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Frames_cross_both_ways_in_order_and_every_buffer_comes_back()
    {
        await using var backend = new InProcessBackend();
        await using var device = NetfrontAsyncDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        var host = backend.Host(device.Device.VifName);
        int buffers = device.ReceiveBuffersAvailable;
        const int Count = 2000;

        // guest -> host: each send awaited, so it completes once on the ring.
        var hostRead = Task.Run(() =>
        {
            for (uint i = 0; i < Count; i++)
            {
                byte[] got = FrontendDriver.HostReceive(host, Wait);
                Assert.True(Frames.Check(got, i, 1, Frames.SizeOf(i)) is null, Frames.Check(got, i, 1, Frames.SizeOf(i)));
            }
        }, Ct);
        for (uint i = 0; i < Count; i++)
        {
            await device.SendAsync(Frames.Make(i, 1, Frames.SizeOf(i)), Ct);
            if (i % 64 == 63)
            {
                // The host end is a socket with a bounded buffer: let its reader keep up.
                while (device.Device.Queues[0].Counters.TxPackets - i > 64 && !hostRead.IsCompleted)
                {
                    await Task.Delay(1, Ct);
                }
            }
        }
        await hostRead.WaitAsync(Wait, Ct);

        // host -> guest: out of the channel, in order.
        var hostWrite = Task.Run(() =>
        {
            for (uint i = 0; i < Count; i++)
            {
                host.Send(Frames.Make(i, 2, Frames.SizeOf(i)));
            }
        }, Ct);
        uint next = 0;
        await foreach (NetfrontFrame frame in device.Frames.ReadAllAsync(Ct))
        {
            using (frame)
            {
                Assert.True(Frames.Check(frame.Span, next, 2, Frames.SizeOf(next)) is null, Frames.Check(frame.Span, next, 2, Frames.SizeOf(next)));
                Assert.Equal(0, frame.Queue);
            }
            if (++next == Count)
            {
                break;
            }
        }
        await hostWrite.WaitAsync(Wait, Ct);
        Assert.Equal(buffers, device.ReceiveBuffersAvailable);
        Assert.Equal(Count, device.Device.Queues[0].Counters.TxPackets);
    }

    [Fact]
    public async Task A_disposed_frame_cannot_be_read_again_and_is_returned_once()
    {
        await using var backend = new InProcessBackend();
        await using var device = NetfrontAsyncDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        int buffers = device.ReceiveBuffersAvailable;
        backend.Host(device.Device.VifName).Send(Frames.Make(7, 3, 100));

        NetfrontFrame frame = await device.Frames.ReadAsync(Ct).AsTask().WaitAsync(Wait, Ct);
        NetfrontFrame copy = frame;
        Assert.Equal(100, frame.Length);
        Assert.Equal(buffers - 1, device.ReceiveBuffersAvailable);
        frame.Dispose();
        copy.Dispose(); // a stale copy's Dispose is a no-op, not a second return
        Assert.Equal(buffers, device.ReceiveBuffersAvailable);
        Assert.Throws<ObjectDisposedException>(() => copy.Length);
    }

    [Fact]
    public async Task Sends_are_spread_over_queues_by_flow_and_each_flow_stays_on_its_queue()
    {
        await using var backend = new InProcessBackend();
        await using var device = NetfrontAsyncDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, Queues = 2 });
        Assert.Equal(2, device.Device.Queues.Count);
        // UDP flows differing in their source port until both queues have one.
        var flows = new List<(byte[] Frame, int Queue)>();
        for (ushort port = 1000; flows.Select(f => f.Queue).Distinct().Count() < 2; port++)
        {
            byte[] frame = TestPackets.Build(200, ipv6: false, protocol: 17);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(TestPackets.TransportOffset(false)), port);
            flows.Add((frame, device.Device.SelectQueue(frame)));
        }
        foreach (var (frame, queue) in flows)
        {
            await device.SendAsync(frame, Ct);
            byte[] got = FrontendDriver.HostReceive(backend.Host(device.Device.VifName, queue), Wait);
            Assert.Equal(frame, got);
        }
        Assert.All(device.Device.Queues, q => Assert.True(q.Counters.TxPackets > 0, $"queue {q.Index} sent nothing"));
    }

    [Fact]
    public async Task A_full_tx_ring_holds_sends_back_until_cancelled_or_disposed()
    {
        // A backend that never consumes its rings: the 256 slots fill and stay full.
        using var scripted = new ScriptedBackend();
        var device = NetfrontAsyncDevice.Connect(new NetfrontOptions { SocketPath = scripted.SocketPath });
        try
        {
            int slots = device.Device.Queues[0].TxRingSize;
            byte[] frame = Frames.Make(0, 1, 60);
            for (int i = 0; i < slots; i++)
            {
                await device.SendAsync(frame, Ct).AsTask().WaitAsync(Wait, Ct);
            }
            using var cts = new CancellationTokenSource();
            ValueTask waiting = device.SendAsync(frame, cts.Token);
            ValueTask queued = device.SendAsync(frame, Ct);
            await Task.Delay(200, Ct);
            Assert.False(waiting.IsCompleted, "a send completed although the ring is full");
            Assert.False(queued.IsCompleted);

            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().WaitAsync(Wait, Ct));
            Assert.Equal(slots, device.Device.Queues[0].Counters.TxPackets); // the cancelled frame never went out

            device.Dispose();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => queued.AsTask().WaitAsync(Wait, Ct));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => device.SendAsync(frame, Ct).AsTask());
        }
        finally
        {
            device.Dispose();
        }
    }

    [Fact]
    public async Task With_its_buffers_held_the_device_stops_taking_frames_and_loses_none()
    {
        await using var backend = new InProcessBackend();
        await using var device = NetfrontAsyncDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath },
            new NetfrontAsyncOptions { ReceiveBuffersPerQueue = 4 });
        var host = backend.Host(device.Device.VifName);
        const int Count = 40;
        for (uint i = 0; i < Count; i++)
        {
            host.Send(Frames.Make(i, 5, 200));
        }
        var held = new List<NetfrontFrame>();
        for (int i = 0; i < 4; i++)
        {
            held.Add(await device.Frames.ReadAsync(Ct).AsTask().WaitAsync(Wait, Ct));
        }
        await Task.Delay(200, Ct);
        Assert.False(device.Frames.TryPeek(out _), "a fifth frame was taken with every buffer held");
        Assert.Equal(4, device.Device.Queues[0].Counters.RxPackets);

        foreach (var f in held)
        {
            f.Dispose(); // returns wake the starved driver
        }
        for (uint i = 4; i < Count; i++)
        {
            using var frame = await device.Frames.ReadAsync(Ct).AsTask().WaitAsync(Wait, Ct);
            Assert.True(Frames.Check(frame.Span, i, 5, 200) is null, Frames.Check(frame.Span, i, 5, 200));
        }
        Assert.Equal(0, device.ReceiveDropsTooLarge);
    }

    [Fact]
    public async Task The_backend_going_away_completes_the_reader_with_the_reason_and_fails_sends()
    {
        var backend = new InProcessBackend();
        try
        {
            await using var device = NetfrontAsyncDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
            await backend.DisposeAsync();

            var e = await Assert.ThrowsAsync<NetfrontException>(async () =>
            {
                await foreach (var frame in device.Frames.ReadAllAsync(Ct))
                {
                    frame.Dispose();
                }
            }).WaitAsync(Wait, Ct);
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            await Assert.ThrowsAsync<NetfrontException>(() => device.SendAsync(Frames.Make(0, 1, 60), Ct).AsTask());
        }
        finally
        {
            await backend.DisposeAsync();
        }
    }
}
