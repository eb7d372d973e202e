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
            Layout = options.Layout,
        });
        // Null data path means no TAP: valid when run in the daemon's network namespace, as run.sh does.
        bool tapPresent = Directory.Exists($"/sys/class/net/{device.VifName}");
        var workers = new NetfrontQueueDriver<FloodWork>[device.Queues.Count];
        for (int i = 0; i < workers.Length; i++)
        {
            var work = new FloodWork(options.Mode, options.FrameSize, options.ZeroCopy, device.Mac, device.Queues[i].TxRingSize);
            workers[i] = new NetfrontQueueDriver<FloodWork>(device.Queues[i], work, $"ringflood-q{i}")
            {
                PollWindow = TimeSpan.FromMicroseconds(options.PollMicroseconds),
            };
        }
        foreach (var w in workers)
        {
            w.Start();
        }
        Pin(options, device.VifName);
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
        Snapshot window = end - start;
        // Refused frames are never counted, and a run that had any is not a result: the backend's
        // answer (NETIF_RSP_ERROR: e.g. anti-spoofing, a malformed request; NETIF_RSP_DROPPED) means
        // the flood measured a drop path. Counted over the whole run, warm-up included.
        long errors = 0, dropped = 0;
        foreach (var w in workers)
        {
            errors += w.Queue.Counters.TxStatusErrors;
            dropped += w.Queue.Counters.TxStatusDropped;
        }
        string? refused = null;
        if (errors > 0 || dropped > 0)
        {
            string mac = string.Join(':', device.Mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            refused = $"the daemon refused {errors + dropped} TX frame(s) ({errors} NETIF_RSP_ERROR, {dropped} NETIF_RSP_DROPPED) "
                + $"sent from the vif MAC {mac}: not a ring-only figure; look at the daemon log (anti-spoofing? a malformed request?)";
        }
        else if (options.Mode == FloodMode.Tx && window.Packets <= 0)
        {
            refused = "no TX frame was answered NETIF_RSP_OKAY in the measured window";
        }
        ResultWriter.Write(options, window, start.AllocatedBytes - probe.AllocatedBytes, device.Queues.Count, device.VifName, tapPresent, device.RingPageOrder,
            device.Queues[0].TxRingSize, new RefusedTotals(errors, dropped, refused));
        if (refused is not null)
        {
            Console.Error.WriteLine($"ringflood: FAILED: {refused}");
            return 3;
        }
        return 0;
    }

    /// <summary>--producer-cpu/--consumer-cpu: queue 0's two ends, each on its CPU, before the warm-up.</summary>
    private static void Pin(FloodOptions options, string vif)
    {
        if (options.ProducerCpu is int producer)
        {
            int tid = WaitForThread(Environment.ProcessId, "ringflood-q0");
            Ring.Shared.Interop.CpuAffinity.Pin(tid, producer);
        }
        if (options.ConsumerCpu is int consumer && options.DaemonPid is int pid)
        {
            Ring.Shared.Interop.CpuAffinity.Pin(WaitForThread(pid, $"{vif}-q0"), consumer);
        }
    }

    private static int WaitForThread(int pid, string name)
    {
        for (int i = 0; i < 200; i++)
        {
            if (Ring.Shared.Interop.CpuAffinity.FindThread(pid, name) is int tid)
            {
                return tid;
            }
            Thread.Sleep(10);
        }
        throw new InvalidOperationException($"no thread {name} in process {pid}");
    }

    private static Snapshot Take(NetfrontQueueDriver<FloodWork>[] workers, FloodOptions options)
    {
        long packets = 0, bytes = 0, sent = 0, received = 0, wakeups = 0, full = 0, dropped = 0, errors = 0;
        foreach (var w in workers)
        {
            // Plain fields owned by the worker: 64-bit reads are tear-free, a little staleness is noise.
            NetfrontQueueCounters c = w.Queue.Counters;
            // TX: frames answered NETIF_RSP_OKAY only (all of one size); RX: frames delivered.
            long okay = w.Work.OkayFrames;
            packets += options.Mode == FloodMode.Tx ? okay : c.RxPackets;
            bytes += options.Mode == FloodMode.Tx ? okay * options.FrameSize : c.RxBytes;
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
