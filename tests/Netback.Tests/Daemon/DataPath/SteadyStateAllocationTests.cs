using System.Diagnostics;
using System.Net.Sockets;
using Netback.Tests.Client;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// Steady state allocates nothing per packet on either side: the real backend (session, vif, queue
/// worker) and the real frontend library run in this process, a host thread echoes every guest-TX
/// frame back as guest RX, and for 5 seconds the two threads that carry the packets (the backend's
/// queue worker and the frontend's, this test's thread) allocate not one byte and no garbage
/// collection happens. The whole process's allocation is reported, not bounded: the runtime and the
/// test host may allocate on their own threads (CI once saw 98 KB there during the flood).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SteadyStateAllocationTests(ITestOutputHelper output)
{
    /// <summary>What the runtime may allocate once on a thread of ours (see the async device test).</summary>
    private const long OneOffRuntimeBytes = 512;

    [Theory]
    [InlineData("per-queue", "direct")]
    [InlineData("pool:2", "direct")]
    [InlineData("split", "direct")]
    [InlineData("per-queue", "map")] // per-packet mmap/munmap: the per-round arrays are allocated once
    public async Task A_five_second_flood_both_ways_triggers_no_garbage_collection(string threads, string txCopy)
    {
        await using var backend = new InProcessBackend(o =>
        {
            o.Threads = threads;
            o.DefaultVifSpec = $"mtu=1500,tx-copy={txCopy}";
        });
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        var queue = device.Queues[0];
        var host = backend.Host(device.VifName);
        host.ReceiveTimeout = 200;
        byte[] frame = Frames.Make(1, 4, 1400);

        bool stop = false;
        long echoed = 0;
        var echo = new Thread(() =>
        {
            byte[] buffer = new byte[65536];
            while (!Volatile.Read(ref stop))
            {
                int n;
                try
                {
                    n = host.Receive(buffer);
                }
                catch (SocketException)
                {
                    continue; // a timeout while the guest is quiet (only at the very end)
                }
                host.Send(buffer.AsSpan(0, n));
                echoed++;
            }
        }) { Name = "host-echo", IsBackground = true };
        echo.Start();

        // The frontend: the library's queue driver on this thread, built before any measurement.
        using var driver = new NetfrontQueueDriver<TimedFloodWork>(queue, new TimedFloodWork(frame));
        ref TimedFloodWork flood = ref driver.Work;
        void Flood(TimeSpan duration)
        {
            driver.Work.For(duration);
            driver.Run();
        }

        Flood(TimeSpan.FromSeconds(1)); // warm-up: JIT, tiering, first-use buffers
        var worker = backend.Registry.Snapshot().Single().Queues[0].Counters;
        // The worker updates its allocation figure before each sleep: let it sleep so that the
        // baseline is today's, and again after the flood so that the figure covers every frame.
        Assert.True(WaitForIdle(worker), "the backend's worker did not go idle after the warm-up");
        long workerSyscalls = worker.NotificationsSent + worker.Wakeups + worker.NotificationsReceived;
        long frontendSyscalls = queue.Counters.TxKicks + queue.Counters.RxKicks + queue.Counters.Wakeups;
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        long frontendAllocated = GC.GetAllocatedBytesForCurrentThread();
        long workerAllocated = Volatile.Read(ref worker.WorkerAllocatedBytes);
        long sentBefore = flood.Sent, receivedBefore = flood.Received;
        Flood(TimeSpan.FromSeconds(5));
        long frontendDuring = GC.GetAllocatedBytesForCurrentThread() - frontendAllocated;
        long allocatedDuring = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        int collections = GC.CollectionCount(0) - gen0 + GC.CollectionCount(1) - gen1 + GC.CollectionCount(2) - gen2;
        long packets = flood.Sent - sentBefore + flood.Received - receivedBefore;
        // Beyond the TAP read or write, syscalls come per batch, not per packet: eventfd writes
        // (notifications), epoll_wait returns and the eventfd reads that drain a kick.
        double backendPerPacket = (double)(worker.NotificationsSent + worker.Wakeups + worker.NotificationsReceived - workerSyscalls) / packets;
        double frontendPerPacket = (double)(queue.Counters.TxKicks + queue.Counters.RxKicks + queue.Counters.Wakeups - frontendSyscalls) / packets;
        Volatile.Write(ref stop, true);
        echo.Join();
        Assert.True(WaitForIdle(worker), "the backend's worker did not go idle after the flood");
        long workerDuring = Volatile.Read(ref worker.WorkerAllocatedBytes) - workerAllocated;

        output.WriteLine($"{threads}, tx-copy {txCopy}: 5 s flood: {flood.Sent - sentBefore} guest-TX and {flood.Received - receivedBefore} guest-RX frames of 1400 B; " +
            $"{collections} GCs; bytes allocated: backend worker {workerDuring}, frontend {frontendDuring}, " +
            $"whole process {allocatedDuring} ({(double)allocatedDuring / packets:0.0000} B/packet)");
        output.WriteLine($"event-channel syscalls per packet: backend {backendPerPacket:0.0000}, frontend {frontendPerPacket:0.0000}");
        output.WriteLine($"kicks heard {worker.NotificationsReceived}, of which spurious {worker.SpuriousKicks}; masked by the late-EOI throttle {worker.KickDelayMs} ms");
        // An honest frontend kicks only after publishing: the throttle never delays it.
        Assert.True(worker.KickDelayMs == 0, $"an honest frontend's kicks were delayed {worker.KickDelayMs} ms ({worker.SpuriousKicks} spurious)");
        Assert.True(backendPerPacket < 0.1, $"the backend made {backendPerPacket:0.000} notification syscalls per packet");
        Assert.True(packets > 10_000, $"only {packets} packets moved: the flood did not run");
        Assert.Equal(0, collections);
        Assert.True(txCopy != "map" || worker.TxMaps >= flood.Sent - sentBefore, $"tx-copy=map mapped {worker.TxMaps} pages for {flood.Sent - sentBefore} frames");
        Assert.True(workerDuring == 0, $"the backend's queue worker allocated {workerDuring} bytes during the flood");
        Assert.True(frontendDuring == 0, $"the frontend (the flooding thread) allocated {frontendDuring} bytes during the flood");
    }

    /// <summary>
    /// The async surface in steady state: an async method awaits <see cref="NetfrontAsyncDevice.SendAsync"/>
    /// in a loop, another reads <see cref="NetfrontAsyncDevice.Frames"/> with ReadAllAsync and disposes
    /// each frame, a host thread echoes guest TX back. For 3 seconds the queue's driver thread (which
    /// copies every frame between the rings and pooled buffers and completes every send) allocates
    /// not one byte; the whole process's allocation per frame, which is what the async callers cost
    /// (pooled ValueTask sources, the channel's pooled waiter), is reported and bounded.
    /// </summary>
    [Fact]
    public async Task The_async_device_allocates_nothing_per_frame_on_its_driver_thread()
    {
        await using var backend = new InProcessBackend();
        await using var device = NetfrontAsyncDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        var queue = device.Device.Queues[0];
        var host = backend.Host(device.Device.VifName);
        host.ReceiveTimeout = 200;
        byte[] frame = Frames.Make(1, 4, 1400);
        bool stop = false;
        var echo = new Thread(() =>
        {
            byte[] buffer = new byte[65536];
            while (!Volatile.Read(ref stop))
            {
                try
                {
                    int n = host.Receive(buffer);
                    host.Send(buffer.AsSpan(0, n));
                }
                catch (SocketException)
                {
                    // a timeout while the guest is quiet
                }
            }
        }) { Name = "host-echo", IsBackground = true };
        echo.Start();

        long received = 0;
        var reader = Task.Run(async () =>
        {
            await foreach (NetfrontFrame f in device.Frames.ReadAllAsync())
            {
                f.Dispose();
                received++;
            }
        }, TestContext.Current.CancellationToken);
        long sent = 0;
        async Task SendFor(TimeSpan duration)
        {
            long start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start) < duration)
            {
                await device.SendAsync(frame);
                sent++;
            }
        }

        await SendFor(TimeSpan.FromSeconds(1)); // warm-up: JIT, tiering, the pools' first growth
        Assert.True(WaitForIdle(queue.Counters), "the driver did not go idle after the warm-up");
        long driverBefore = Volatile.Read(ref queue.Counters.DriverAllocatedBytes);
        long processBefore = GC.GetTotalAllocatedBytes(precise: true);
        long framesBefore = sent + Volatile.Read(ref received);
        await SendFor(TimeSpan.FromSeconds(3));
        Assert.True(WaitForIdle(queue.Counters), "the driver did not go idle after the flood");
        long driverDuring = Volatile.Read(ref queue.Counters.DriverAllocatedBytes) - driverBefore;
        long processDuring = GC.GetTotalAllocatedBytes(precise: true) - processBefore;
        long frames = sent + Volatile.Read(ref received) - framesBefore;
        Volatile.Write(ref stop, true);
        echo.Join();

        double perFrame = (double)processDuring / frames;
        output.WriteLine($"3 s async flood: {frames} frames (sent and received); bytes allocated: driver thread {driverDuring}, " +
            $"whole process {processDuring} ({perFrame:0.0000} B/frame)");
        Assert.True(frames > 10_000, $"only {frames} frames moved: the flood did not run");
        // Nothing per frame or per wake-up: either would be megabytes over a flood of 10^5..10^6 frames
        // and thousands of wake-ups. A few hundred bytes once are left to the runtime: seen once in CI,
        // 136 B over 836 000 frames with the whole suite running beside it, and not in six runs alone;
        // the driver's code allocates nothing, but it queues continuations to the thread pool and
        // takes the channel's lock, where the runtime may grow a queue or record a first contention.
        Assert.True(driverDuring <= OneOffRuntimeBytes, $"the driver thread allocated {driverDuring} bytes during the flood");
        Assert.True(perFrame < 1, $"the async callers allocated {perFrame:0.00} B per frame");
    }

    /// <summary>Waits until the backend's worker has neither woken nor moved a packet for 200 ms.</summary>
    private static bool WaitForIdle(Netback.Daemon.Diagnostics.QueueCounters worker) =>
        WaitForIdle(() => Volatile.Read(ref worker.Wakeups) + Volatile.Read(ref worker.TxPackets) + Volatile.Read(ref worker.RxPackets));

    /// <summary>Waits until a frontend queue's driver has neither woken nor moved a packet for 200 ms (it samples its allocation before each sleep).</summary>
    private static bool WaitForIdle(NetfrontQueueCounters queue) =>
        WaitForIdle(() => Volatile.Read(ref queue.Wakeups) + Volatile.Read(ref queue.TxPackets) + Volatile.Read(ref queue.RxPackets));

    private static bool WaitForIdle(Func<long> activity)
    {
        var deadline = Stopwatch.StartNew();
        long last = -1;
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            long now = activity();
            if (now == last)
            {
                return true;
            }
            last = now;
            Thread.Sleep(200);
        }
        return false;
    }
}
