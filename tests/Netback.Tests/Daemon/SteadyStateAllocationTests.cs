using System.Diagnostics;
using System.Net.Sockets;
using Netback.Tests.Client;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Daemon;

/// <summary>
/// Steady state allocates nothing per packet on either side: the real backend (session, vif, queue
/// worker) and the real frontend library run in this process, a host thread echoes every guest-TX
/// frame back as guest RX, and for 5 seconds not one garbage collection may happen.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SteadyStateAllocationTests(ITestOutputHelper output)
{
    private sealed class CountingSink : IFrameSink
    {
        public long Frames;

        public void OnFrame(ReadOnlySpan<byte> frame) => Frames++;
    }

    [Fact]
    public async Task A_five_second_flood_both_ways_triggers_no_garbage_collection()
    {
        await using var backend = new InProcessBackend();
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

        var sink = new CountingSink();
        long sent = 0;
        void Flood(TimeSpan duration)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                queue.ReclaimTxResponses();
                for (int i = 0; i < 32 && queue.TrySend(frame); i++)
                {
                    sent++;
                }
                queue.PushTransmits();
                int got = queue.ReceiveBatch(sink, 64);
                if (got == 0 && queue.FreeTxSlots == 0 && !queue.FinalCheckForRxResponses() && !queue.FinalCheckForTxResponses())
                {
                    FrontendDriver.WaitForCall(queue, 10);
                }
            }
        }

        Flood(TimeSpan.FromSeconds(1)); // warm-up: JIT, tiering, first-use buffers
        var worker = backend.Registry.Snapshot().Single().Queues[0].Counters;
        long workerSyscalls = worker.NotificationsSent + worker.Wakeups + worker.NotificationsReceived;
        long frontendSyscalls = queue.Counters.TxKicks + queue.Counters.RxKicks + queue.Counters.Wakeups;
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        long sentBefore = sent, receivedBefore = sink.Frames;
        Flood(TimeSpan.FromSeconds(5));
        long allocatedDuring = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        int collections = GC.CollectionCount(0) - gen0 + GC.CollectionCount(1) - gen1 + GC.CollectionCount(2) - gen2;
        long packets = sent - sentBefore + sink.Frames - receivedBefore;
        // Beyond the TAP read or write, syscalls come per batch, not per packet: eventfd writes
        // (notifications), epoll_wait returns and the eventfd reads that drain a kick.
        double backendPerPacket = (double)(worker.NotificationsSent + worker.Wakeups + worker.NotificationsReceived - workerSyscalls) / packets;
        double frontendPerPacket = (double)(queue.Counters.TxKicks + queue.Counters.RxKicks + queue.Counters.Wakeups - frontendSyscalls) / packets;
        Volatile.Write(ref stop, true);
        echo.Join();

        output.WriteLine($"5 s flood: {sent - sentBefore} guest-TX and {sink.Frames - receivedBefore} guest-RX frames of 1400 B; " +
            $"{collections} GCs; {allocatedDuring} bytes allocated by the whole process ({(double)allocatedDuring / packets:0.0000} B/packet)");
        output.WriteLine($"event-channel syscalls per packet: backend {backendPerPacket:0.0000}, frontend {frontendPerPacket:0.0000}");
        Assert.True(backendPerPacket < 0.1, $"the backend made {backendPerPacket:0.000} notification syscalls per packet");
        Assert.True(packets > 10_000, $"only {packets} packets moved: the flood did not run");
        Assert.Equal(0, collections);
        // The runtime itself may allocate a little (timers, tiered JIT); per packet it must be nothing.
        Assert.True(allocatedDuring < 64 * 1024, $"{allocatedDuring} bytes allocated during the flood");
    }
}
