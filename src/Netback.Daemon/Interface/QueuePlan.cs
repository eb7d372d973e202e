namespace Netback.Daemon.Interface;

/// <summary>
/// One queue's rings (page indices in the grant area) and event-channel fds (indices among the
/// received fds; in single-channel mode RX uses the TX pair).
/// </summary>
internal sealed record QueuePlan(uint TxRingRef, uint RxRingRef, int TxKick, int TxCall, int RxKick, int RxCall);
