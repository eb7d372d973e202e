namespace Netfront.Client;

/// <summary>
/// Per-queue counters: plain fields written only by the thread that owns the queue (no interlocked
/// operation on the hot path) and readable tear-free from any thread on 64-bit.
/// </summary>
public sealed class NetfrontQueueCounters
{
    /// <summary>Frames placed on the TX ring.</summary>
    public long TxPackets;
    /// <summary>Bytes of those frames.</summary>
    public long TxBytes;
    /// <summary>TX responses with <c>NETIF_RSP_ERROR</c> (the backend rejected the packet).</summary>
    public long TxStatusErrors;
    /// <summary>TX responses with <c>NETIF_RSP_DROPPED</c>.</summary>
    public long TxStatusDropped;
    /// <summary>Send attempts refused because no TX slot was free.</summary>
    public long TxRingFull;
    /// <summary>Frames placed on the TX ring with a GSO extra-info slot.</summary>
    public long TxGsoPackets;
    /// <summary>TX kicks (eventfd writes) sent to the backend.</summary>
    public long TxKicks;

    /// <summary>Frames delivered from the RX ring.</summary>
    public long RxPackets;
    /// <summary>Bytes of those frames.</summary>
    public long RxBytes;
    /// <summary>RX kicks (buffers posted) sent to the backend.</summary>
    public long RxKicks;
    /// <summary>Frames dropped: a response carried a negative status (<c>NETIF_RSP_*</c>).</summary>
    public long RxDropsStatusError;
    /// <summary>Frames dropped: a response's size or offset ran past its page (a backend bug).</summary>
    public long RxDropsBadResponse;
    /// <summary>Frames dropped: a response's id did not match its ring slot (a backend bug).</summary>
    public long RxDropsBadId;
    /// <summary>Frames dropped: a multi-slot frame exceeded the 64 KiB scratch buffer or the slot limit.</summary>
    public long RxDropsOversize;
    /// <summary>RX extra-info slots of types this frontend does not use (multicast, hash, XDP), skipped.</summary>
    public long RxExtrasIgnored;
    /// <summary>Frames delivered with a GSO extra (64 KiB TCP frames).</summary>
    public long RxGsoPackets;
    /// <summary>
    /// Frames dropped: a bad extra-info slot (unknown type; GSO with size 0, an unknown type or one
    /// this frontend did not advertise; a chain of extras longer than the types there are).
    /// </summary>
    public long RxDropsBadExtra;

    /// <summary>Call notifications drained from the backend (TX and RX call eventfds).</summary>
    public long NotificationsReceived;
    /// <summary>Returns from the owner's wait (epoll_wait), counted by the owner.</summary>
    public long Wakeups;

    /// <summary>Rounds of the driver's polling window (<see cref="NetfrontQueueDriver{TWork}.PollWindow"/>) instead of a sleep.</summary>
    public long Polls;
    /// <summary>
    /// Bytes the thread driving this queue has allocated since a <see cref="NetfrontQueueDriver{TWork}"/>
    /// started on it, sampled before each sleep (flat under traffic: nothing is allocated per packet).
    /// </summary>
    public long DriverAllocatedBytes;

    /// <summary>Kicks sent in both directions: the "notifications per packet" numerator.</summary>
    public long NotificationsSent => TxKicks + RxKicks;
}
