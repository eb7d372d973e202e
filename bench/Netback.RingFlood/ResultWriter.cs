using System.Diagnostics;
using System.Text.Json;
using Ring.Shared.Rings;

namespace Netback.RingFlood;

/// <summary>Prints the measured window as one JSON line on stdout (run.sh collects them).</summary>
internal static class ResultWriter
{
    public static void Write(FloodOptions o, Snapshot d, long sampleAllocation, int queues, string vif, bool tapPresent, int ringPageOrder, int ringSize,
        RefusedTotals refused)
    {
        double seconds = (double)d.Timestamp / Stopwatch.Frequency;
        // Per-packet figures of a window that moved nothing are undefined, not huge: written as null.
        double packets = d.Packets > 0 ? d.Packets : double.NaN;
        double pps = d.Packets / seconds;
        double cpuSelf = d.SelfCpu;
        double cpuDaemon = d.DaemonCpu;
        // The end sample allocated as much as the probe did: that is the tool's, not the flood's.
        long allocated = Math.Max(0, d.AllocatedBytes - sampleAllocation);
        double cpuTotal = double.IsNaN(cpuDaemon) ? cpuSelf : cpuSelf + cpuDaemon;

        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            w.WriteString("mode", o.Mode switch { FloodMode.Tx => "tx", FloodMode.Rx => "rx", _ => "socketpair" });
            // ok: false = not a result (run.sh marks the row failed); error says why.
            w.WriteBoolean("ok", refused.Failure is null);
            if (refused.Failure is not null)
            {
                w.WriteString("error", refused.Failure);
            }
            w.WriteNumber("frame_bytes", o.FrameSize);
            w.WriteNumber("queues", queues);
            if (o.Mode != FloodMode.SocketPair)
            {
                w.WriteString("vif", vif);
                w.WriteBoolean("tap_present", tapPresent);
                w.WriteNumber("ring_page_order", ringPageOrder);
                w.WriteNumber("ring_slots", ringSize);
                w.WriteString("layout", o.Layout.ToKey());
                if (o.ProducerCpu is int producer)
                {
                    w.WriteNumber("producer_cpu", producer);
                }
                if (o.ConsumerCpu is int consumer)
                {
                    w.WriteNumber("consumer_cpu", consumer);
                }
                w.WriteBoolean("zero_copy", o.ZeroCopy);
            }
            w.WriteNumber("seconds", Math.Round(seconds, 3));
            w.WriteNumber("packets", d.Packets);
            w.WriteNumber("pps", Math.Round(pps));
            w.WriteNumber("pps_per_queue", Math.Round(pps / queues));
            w.WriteNumber("gbps", Math.Round(d.Bytes * 8 / seconds / 1e9, 3));
            if (o.Mode == FloodMode.SocketPair)
            {
                w.WriteNumber("syscalls_per_packet", 2); // one send, one recv: by construction
            }
            else
            {
                w.WriteNumber("notifications_sent", d.NotificationsSent);
                w.WriteNumber("notifications_received", d.NotificationsReceived);
                WriteRatio(w, "notifications_per_packet", d.NotificationsSent + d.NotificationsReceived, packets, 5);
                w.WriteNumber("wakeups", d.Wakeups);
                w.WriteNumber("tx_ring_full", d.RingFull);
                // "packets" counts TX frames answered NETIF_RSP_OKAY; these are the window's refused
                // ones, and the run's (warm-up included), which must all be 0.
                w.WriteNumber("tx_status_dropped", d.TxDropped);
                w.WriteNumber("tx_status_errors", d.TxErrors);
                w.WriteNumber("tx_refused_total", refused.Errors + refused.Dropped);
            }
            WriteNs(w, "cpu_ns_per_packet", cpuTotal, packets);
            WriteNs(w, "cpu_client_ns_per_packet", cpuSelf, packets);
            WriteNs(w, "cpu_daemon_ns_per_packet", cpuDaemon, packets);
            WriteRatio(w, "alloc_bytes_per_packet", allocated, packets, 4);
            w.WriteNumber("alloc_bytes_window", allocated);
            w.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
    }

    private static void WriteNs(Utf8JsonWriter w, string name, double cpuSeconds, double packets) =>
        WriteRatio(w, name, cpuSeconds * 1e9, packets, 1);

    private static void WriteRatio(Utf8JsonWriter w, string name, double value, double packets, int digits)
    {
        double v = value / packets;
        if (double.IsFinite(v))
        {
            w.WriteNumber(name, Math.Round(v, digits));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
