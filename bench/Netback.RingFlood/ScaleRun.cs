using System.Diagnostics;
using System.Text.Json;
using Netfront.Client;
using Ring.Shared.Rings;

namespace Netback.RingFlood;

/// <summary>
/// The scale mode (<c>--vifs K</c>): K light frontends in this one process, one queue each, against
/// one daemon. Reports what K vifs cost the daemon (attach time, threads, RSS, CPU while they idle)
/// and what they move together (TX 64 B frames answered OKAY per second, all K flooding at once).
/// </summary>
internal static class ScaleRun
{
    public static int Run(FloodOptions options)
    {
        int k = options.Vifs ?? 1;
        int daemon = options.DaemonPid ?? 0;
        var devices = new List<NetfrontDevice>(k);
        var drivers = new List<NetfrontQueueDriver<FloodWork>>(k);
        string? failure = null;
        try
        {
            var before = ProcessStatus.Read(daemon);
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < k; i++)
            {
                devices.Add(NetfrontDevice.Connect(new NetfrontOptions
                {
                    SocketPath = options.SocketPath,
                    Queues = 1,
                    RingPageOrder = options.RingPageOrder,
                    Layout = options.Layout,
                }));
            }
            double attachSeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            // The daemon's workers settle (first wake-ups, JIT) before the idle window.
            Thread.Sleep(TimeSpan.FromSeconds(Math.Min(1, options.WarmupSeconds)));
            var attached = ProcessStatus.Read(daemon);
            double idleWindow = Math.Max(1, options.Seconds / 2);
            double cpu0 = CpuTime.Seconds(daemon);
            long i0 = Stopwatch.GetTimestamp();
            Thread.Sleep(TimeSpan.FromSeconds(idleWindow));
            double idleCpu = CpuTime.Seconds(daemon) - cpu0;
            double idleSeconds = Stopwatch.GetElapsedTime(i0).TotalSeconds;

            foreach (var d in devices)
            {
                var work = new FloodWork(FloodMode.Tx, options.FrameSize, zeroCopy: false, d.Mac, d.Queues[0].TxRingSize);
                var driver = new NetfrontQueueDriver<FloodWork>(d.Queues[0], work, $"ringflood-v{drivers.Count}");
                drivers.Add(driver);
                driver.Start();
            }
            Thread.Sleep(TimeSpan.FromSeconds(options.WarmupSeconds));
            long okay0 = Okay(drivers);
            double fcpu0 = CpuTime.Seconds(daemon) + CpuTime.Self();
            long f0 = Stopwatch.GetTimestamp();
            Thread.Sleep(TimeSpan.FromSeconds(options.Seconds));
            long okay1 = Okay(drivers);
            double floodSeconds = Stopwatch.GetElapsedTime(f0).TotalSeconds;
            double floodCpu = CpuTime.Seconds(daemon) + CpuTime.Self() - fcpu0;
            var flooding = ProcessStatus.Read(daemon);
            long refused = 0;
            int idle = 0;
            foreach (var w in drivers)
            {
                refused += w.Queue.Counters.TxStatusErrors + w.Queue.Counters.TxStatusDropped;
                idle += w.Work.OkayFrames == 0 ? 1 : 0;
                failure ??= w.Failure?.Message;
            }
            if (failure is null && refused > 0)
            {
                failure = $"the daemon refused {refused} TX frame(s): not a ring-only figure";
            }
            long packets = okay1 - okay0;
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout))
            {
                w.WriteStartObject();
                w.WriteString("mode", "scale");
                w.WriteBoolean("ok", failure is null);
                if (failure is not null)
                {
                    w.WriteString("error", failure);
                }
                w.WriteNumber("vifs", k);
                w.WriteString("layout", options.Layout.ToKey());
                w.WriteNumber("ring_page_order", options.RingPageOrder);
                w.WriteNumber("frame_bytes", options.FrameSize);
                w.WriteNumber("attach_seconds", Math.Round(attachSeconds, 4));
                w.WriteNumber("attach_ms_per_vif", Math.Round(attachSeconds * 1000 / k, 3));
                w.WriteNumber("daemon_threads_before", before.Threads);
                w.WriteNumber("daemon_threads", attached.Threads);
                w.WriteNumber("daemon_threads_flooding", flooding.Threads);
                w.WriteNumber("daemon_rss_kib_before", before.RssKiB);
                w.WriteNumber("daemon_rss_kib", attached.RssKiB);
                w.WriteNumber("rss_kib_per_vif", Math.Round((attached.RssKiB - before.RssKiB) / (double)k, 1));
                w.WriteNumber("idle_seconds", Math.Round(idleSeconds, 3));
                w.WriteNumber("idle_cpu_seconds", Math.Round(idleCpu, 3));
                w.WriteNumber("idle_cpu_pct_per_vif", Math.Round(idleCpu / idleSeconds * 100 / k, 5));
                w.WriteNumber("seconds", Math.Round(floodSeconds, 3));
                w.WriteNumber("packets", packets);
                w.WriteNumber("pps", Math.Round(packets / floodSeconds));
                w.WriteNumber("vifs_that_moved_nothing", idle);
                w.WriteNumber("cpu_ns_per_packet", packets > 0 ? Math.Round(floodCpu * 1e9 / packets, 1) : 0);
                w.WriteEndObject();
            }
            stdout.WriteByte((byte)'\n');
        }
        finally
        {
            foreach (var w in drivers)
            {
                w.Dispose();
            }
            foreach (var d in devices)
            {
                d.Dispose();
            }
        }
        if (failure is not null)
        {
            Console.Error.WriteLine($"ringflood: FAILED: {failure}");
            return 3;
        }
        return 0;
    }

    private static long Okay(List<NetfrontQueueDriver<FloodWork>> drivers)
    {
        long sum = 0;
        foreach (var w in drivers)
        {
            sum += w.Work.OkayFrames;
        }
        return sum;
    }
}
