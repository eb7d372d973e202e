using System.Diagnostics.Metrics;

namespace Netback.Daemon.Diagnostics;

/// <summary>
/// The daemon's instruments (<c>Meter("Netback")</c>, readable with dotnet-counters): observable
/// counters that read each queue's plain counters when a listener asks, tagged vif and queue
/// (64-bit reads of the worker-owned fields are atomic on the platforms .NET supports).
/// </summary>
internal sealed class NetbackMetrics : IDisposable
{
    public const string MeterName = "Netback";

    private readonly Meter _meter = new(MeterName);
    private readonly Func<IEnumerable<QueueCounterSet>> _queues;

    /// <summary>The meter itself, for an exporter that must take this instance's instruments and no other's.</summary>
    public Meter Meter => _meter;

    /// <param name="connectedVifs">How many vifs are connected (not the ones being set up).</param>
    /// <param name="queues">Every connected queue's counters, read when a listener asks.</param>
    public NetbackMetrics(Func<int> connectedVifs, Func<IEnumerable<QueueCounterSet>> queues)
    {
        _queues = queues;
        _meter.CreateObservableGauge("netback.vifs", connectedVifs, description: "Connected vifs");
        Counter("netback.tx.packets", "{packet}", "Guest TX packets written to the TAP", c => c.TxPackets);
        Counter("netback.tx.bytes", "By", "Guest TX bytes written to the TAP", c => c.TxBytes);
        Counter("netback.rx.packets", "{packet}", "Guest RX packets read from the TAP into the ring", c => c.RxPackets);
        Counter("netback.rx.bytes", "By", "Guest RX bytes", c => c.RxBytes);
        Counter("netback.tx.gso", "{packet}", "Guest TX GSO frames (up to 64 KiB) written to the TAP", c => c.TxGsoFrames);
        Counter("netback.tx.maps", "{call}", "Guest TX pages mapped one by one (tx-copy=map: one mmap per slot)", c => c.TxMaps);
        Counter("netback.tx.unmaps", "{call}", "Guest TX munmap calls giving mapped pages back (tx-copy=map: one per run of adjacent pages per round)", c => c.TxUnmaps);
        Counter("netback.tx.csum_blank", "{packet}", "Guest TX frames whose checksum the host completes", c => c.TxCsumBlankFrames);
        Counter("netback.rx.gso", "{packet}", "Guest RX GSO frames sent with an extra-info slot", c => c.RxGsoFrames);
        Counter("netback.rx.csum_blank", "{packet}", "Guest RX frames sent with a blank checksum", c => c.RxCsumBlankFrames);
        Counter("netback.rx.stalls", "{event}", "Guest RX stalls: no buffers posted for the stall timeout while frames waited (carrier off)", c => c.RxStalls);
        Counter("netback.rx.stall_drops", "{packet}", "Guest RX frames dropped after waiting the drain timeout for buffers", c => c.RxStallDrops);
        Counter("netback.rx.offload_drops", "{packet}", "Guest RX frames dropped: offload metadata the frontend cannot take", c => c.RxOffloadDrops);
        Counter("netback.rx.no_buffers", "{event}", "Times no RX buffer was posted", c => c.RxNoBuffers);
        Counter("netback.notifications.sent", "{notification}", "Event-channel notifications to frontends", c => c.NotificationsSent);
        Counter("netback.notifications.received", "{notification}", "Kicks received from frontends", c => c.NotificationsReceived);
        Counter("netback.tap.reads", "{call}", "readv calls on the vif's TAP (guest RX), empty ones included", c => c.TapReads);
        Counter("netback.tap.reads_empty", "{call}", "readv calls on the vif's TAP that found it empty (EAGAIN)", c => c.TapReadsEmpty);
        Counter("netback.polls", "{round}", "Rounds of the polling window (Netback:PollMicroseconds) instead of a sleep", c => c.Polls);
        Counter("netback.wakeups", "{wakeup}", "Worker wake-ups from epoll", c => c.Wakeups);
        Counter("netback.wakeups.spurious", "{wakeup}", "Kicks that announced no request (XSA-332 spurious events; throttled by late EOI)",
            c => c.SpuriousKicks);
        Counter("netback.kicks.delayed", "ms", "Time kick channels were masked by the late-EOI throttle", c => c.KickDelayMs);
        Counter("netback.notifications.failed", "{notification}", "Calls to frontends the kernel refused to signal", c => c.NotificationsFailed);
        _meter.CreateObservableCounter("netback.workers.stuck", () => WorkerCounters.Stuck, "{worker}",
            "Workers that did not stop when their vif was torn down (the vif keeps its mapping)");
        Counter("netback.worker.allocated", "By", "Managed bytes allocated by the queue's worker thread (flat under traffic: the data path allocates nothing)",
            c => c.WorkerAllocatedBytes);
        _meter.CreateObservableCounter("netback.tx.drops", ObserveDrops, "{packet}", "Guest TX packets dropped, by reason");
        _meter.CreateObservableCounter("netback.frontend.fatal_errors", FatalCounters.Observe, "{error}",
            "Fatal frontend errors (each disabled its vif), by reason");
        _meter.CreateObservableCounter("netback.connections.refused", RefusalCounters.Observe, "{connection}",
            "Control connections and Connects refused by Netback:Access, by reason");
        _meter.CreateObservableCounter("netback.tx.spoof_drops", ObserveSpoofDrops, "{packet}", "Guest TX frames dropped by anti-spoofing, by reason");
        Counter("netback.tx.rate_limited", "{event}", "Times guest TX stopped for lack of credit (rate=)", c => c.TxRateLimited);
    }

    private void Counter(string name, string unit, string description, Func<QueueCounters, long> read) =>
        _meter.CreateObservableCounter(name, () => Observe(read), unit, description);

    private IEnumerable<Measurement<long>> Observe(Func<QueueCounters, long> read)
    {
        foreach (var q in _queues())
        {
            yield return new Measurement<long>(read(q.Counters),
                new KeyValuePair<string, object?>("vif", q.Vif), new KeyValuePair<string, object?>("queue", q.Queue));
        }
    }

    private IEnumerable<Measurement<long>> ObserveDrops()
    {
        foreach (var q in _queues())
        {
            for (int r = 0; r < (int)TxDropReason.Count; r++)
            {
                yield return new Measurement<long>(q.Counters.TxDrops[r],
                    new KeyValuePair<string, object?>("vif", q.Vif), new KeyValuePair<string, object?>("queue", q.Queue),
                    new KeyValuePair<string, object?>("reason", ((TxDropReason)r).ToString()));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveSpoofDrops()
    {
        foreach (var q in _queues())
        {
            for (int r = 1; r < (int)SpoofDropReason.Count; r++)
            {
                yield return new Measurement<long>(q.Counters.SpoofDrops[r],
                    new KeyValuePair<string, object?>("vif", q.Vif), new KeyValuePair<string, object?>("queue", q.Queue),
                    new KeyValuePair<string, object?>("reason", ((SpoofDropReason)r).ToString()));
            }
        }
    }

    public void Dispose() => _meter.Dispose();
}
