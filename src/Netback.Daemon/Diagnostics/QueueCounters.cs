namespace Netback.Daemon.Diagnostics;

/// <summary>
/// Per-queue counters: plain fields written only by the queue's worker and read (tear-free on
/// 64-bit) by the metrics observer. No interlocked operation on the hot path.
/// </summary>
internal sealed class QueueCounters
{
    public long TxPackets;
    public long TxBytes;
    public long RxPackets;
    public long RxBytes;
    /// <summary>Guest RX: frames read from the TAP that did not fit (never expected).</summary>
    public long RxErrors;
    /// <summary>Guest RX: frames the kernel handed over with offload metadata the frontend did not accept or Xen cannot carry (UDP GSO, ECN).</summary>
    public long RxOffloadDrops;
    /// <summary>Guest TX: 64 KiB frames with a GSO extra.</summary>
    public long TxGsoFrames;
    /// <summary>Guest TX, tx-copy=map: pages mapped one by one (mmap calls; netback's grant map operations).</summary>
    public long TxMaps;
    /// <summary>Guest TX, tx-copy=map: munmap calls that gave them back, one per run of adjacent pages per round.</summary>
    public long TxUnmaps;
    /// <summary>Guest TX: frames with NETTXF_csum_blank (checksum left to the host).</summary>
    public long TxCsumBlankFrames;
    /// <summary>Guest RX: GSO frames sent with an extra-info slot.</summary>
    public long RxGsoFrames;
    /// <summary>Guest RX: frames sent with NETRXF_csum_blank.</summary>
    public long RxCsumBlankFrames;
    /// <summary>Times the worker found no posted RX buffers (ring "full" from the backend's view).</summary>
    public long RxNoBuffers;
    /// <summary>eventfd writes to the frontend (TX and RX responses).</summary>
    public long NotificationsSent;
    /// <summary>Kicks received from the frontend (eventfd wake-ups, before coalescing).</summary>
    public long NotificationsReceived;
    /// <summary>readv calls on the TAP (guest RX), and how many of them found it empty (EAGAIN).</summary>
    public long TapReads;
    public long TapReadsEmpty;
    /// <summary>Rounds of the polling window (Netback:PollMicroseconds): looks at the rings and TAP without sleeping.</summary>
    public long Polls;
    /// <summary>Returns from epoll_wait.</summary>
    public long Wakeups;
    /// <summary>
    /// Kicks that announced nothing: the frontend had published no request on the kicked ring(s)
    /// since that channel's previous kick (Linux's spurious_events, XSA-332).
    /// </summary>
    public long SpuriousKicks;
    /// <summary>Milliseconds a kick channel was masked by the late-EOI throttle (Linux's jiffies_eoi_delayed).</summary>
    public long KickDelayMs;
    /// <summary>Calls the kernel refused to signal (io_uring_enter or io_submit failed; never expected).</summary>
    public long NotificationsFailed;
    /// <summary>
    /// Managed bytes the worker thread has allocated since it started, updated once per round. The hot
    /// path allocates nothing, so this stays flat under traffic; growth means a regression (or a
    /// control-plane event on the worker, such as a stall warning).
    /// </summary>
    public long WorkerAllocatedBytes;
    public readonly long[] TxDrops = new long[(int)TxDropReason.Count];
    /// <summary>Anti-spoofing drops by <see cref="SpoofDropReason"/> (index 0, None, stays 0).</summary>
    public readonly long[] SpoofDrops = new long[(int)SpoofDropReason.Count];
    /// <summary>Guest RX: times this queue was declared stalled (no buffers for Netback:RxStallTimeoutMs while frames waited).</summary>
    public long RxStalls;
    /// <summary>Guest RX: frames discarded from the TAP after waiting Netback:RxDrainTimeoutMs for buffers.</summary>
    public long RxStallDrops;
    /// <summary>Times guest TX stopped for lack of credit (<c>rate=</c>; netback's rate_limited).</summary>
    public long TxRateLimited;
}
