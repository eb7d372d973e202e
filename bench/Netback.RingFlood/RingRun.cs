using System.Diagnostics;
using Netfront.Client;

namespace Netback.RingFlood;

/// <summary>
/// The ring-only flood: connects to netbackd as a frontend, runs one driver per
/// queue (a library <see cref="NetfrontQueueDriver{TWork}"/> over a <see cref="FloodWork"/>, thread
/// <c>ringflood-qN</c>) through a warm-up and then the measured window, and reports the window's deltas.
/// </summary>
internal static class RingRun
{
    public static int Run(FloodOptions options)
    {
        using NetfrontDevice device = NetfrontDevice.Connect(new NetfrontOptions
        {
            SocketPath = options.SocketPath,
            Queues = options.Queues,
            RingPageOrder = options.RingPageOrder,
        });
        // Null data path means no TAP: valid when run in the daemon's network namespace, as run.sh does.
        bool tapPresent = Directory.Exists($"/sys/class/net/{device.VifName}");
        var workers = new NetfrontQueueDriver<FloodWork>[device.Queues.Count];
        for (int i = 0; i < workers.Length; i++)
        {
            var work = new FloodWork(options.Mode, options.FrameSize, options.ZeroCopy);
            workers[i] = new NetfrontQueueDriver<FloodWork>(device.Queues[i], work, $"ringflood-q{i}");
        }
        foreach (var w in workers)
        {
            w.Start();
        }
        Thread.Sleep(TimeSpan.FromSeconds(options.WarmupSeconds));
        // Two samples back to back: what taking one allocates (File reads of /proc) is not the flood's.
        Snapshot probe = Take(workers, options);
        Snapshot start = Take(workers, options);
        Thread.Sleep(TimeSpan.FromSeconds(options.Seconds));
        Snapshot end = Take(workers, options);
        foreach (var w in workers)
        {
            w.Dispose();
        }
        if (workers.FirstOrDefault(w => w.Failure is not null)?.Failure is { } failure)
        {
            Console.Error.WriteLine($"ringflood: {failure.Message}");
            return 1;
        }
        ResultWriter.Write(options, end - start, start.AllocatedBytes - probe.AllocatedBytes, device.Queues.Count, device.VifName, tapPresent, device.RingPageOrder,
            device.Queues[0].TxRingSize);
        return 0;
    }

    private static Snapshot Take(NetfrontQueueDriver<FloodWork>[] workers, FloodOptions options)
    {
        long packets = 0, bytes = 0, sent = 0, received = 0, wakeups = 0, full = 0, dropped = 0, errors = 0;
        foreach (var w in workers)
        {
            // Plain fields owned by the worker: 64-bit reads are tear-free, a little staleness is noise.
            NetfrontQueueCounters c = w.Queue.Counters;
            packets += options.Mode == FloodMode.Tx ? c.TxPackets : c.RxPackets;
            bytes += options.Mode == FloodMode.Tx ? c.TxBytes : c.RxBytes;
            sent += c.NotificationsSent;
            received += c.NotificationsReceived;
            wakeups += c.Wakeups;
            full += c.TxRingFull;
            dropped += c.TxStatusDropped;
            errors += c.TxStatusErrors;
        }
        return new Snapshot(packets, bytes, sent, received, wakeups, full, dropped, errors,
            CpuTime.Self(),
            options.DaemonPid is int pid ? CpuTime.Seconds(pid) : double.NaN,
            GC.GetTotalAllocatedBytes(precise: true),
            Stopwatch.GetTimestamp());
    }
}
