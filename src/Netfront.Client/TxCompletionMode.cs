namespace Netfront.Client;

/// <summary>
/// When a frontend waiting for TX slots asks the backend for a call (the TX ring's
/// <c>rsp_event</c>). Only a queue whose work waits for slots asks at all; otherwise TX responses
/// are reclaimed on the next round whatever the mode.
/// </summary>
public enum TxCompletionMode
{
    /// <summary>
    /// RING_FINAL_CHECK_FOR_RESPONSES: a call at the next response (<c>rsp_event = rsp_cons + 1</c>),
    /// so the waiter wakes as soon as one slot is back.
    /// </summary>
    PerPacket,

    /// <summary>
    /// xen-netfront's <c>xennet_tx_buf_gc</c>: a call once half of the outstanding requests are
    /// answered (or as many as the waiter needs, if more), and slots are reclaimed when a send finds
    /// too few free: fewer calls and wake-ups, larger batches.
    /// </summary>
    Half,
}
