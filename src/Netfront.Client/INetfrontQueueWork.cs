namespace Netfront.Client;

/// <summary>
/// What a <see cref="NetfrontQueueDriver{TWork}"/> calls on its queue's thread: the consumer's side of
/// netfront's TX path (<c>xennet_start_xmit</c>: <see cref="Transmit"/>, with an optional fd that says
/// when there is something to send, e.g. a TAP queue fd or an eventfd doorbell) and of its RX poll
/// (<c>xennet_poll</c>: <see cref="IRxFrameSink.OnFrame"/>, zero copy, as many frames as
/// <see cref="RxBudget"/> allows). Implement it on a struct: the driver is generic over it, so every
/// call is direct and nothing is boxed; the driver keeps the struct and passes it by reference, so
/// its fields are the state (read them back with <see cref="NetfrontQueueDriver{TWork}.Work"/>).
/// Nothing here may block; nothing should allocate per frame.
/// </summary>
public interface INetfrontQueueWork : IRxFrameSink
{
    /// <summary>
    /// A descriptor the driver polls for readability while TX slots are free (read once, when the
    /// driver is built; -1 for none), e.g. a TAP queue fd or an eventfd that producers write. The
    /// driver stops polling it while <see cref="NetfrontQueue.FreeTxSlots"/> is below
    /// <see cref="TxSlotsWanted"/>, so a level-triggered fd that stays readable cannot spin the loop.
    /// </summary>
    int TxWorkFd { get; }

    /// <summary>
    /// Frames the consumer can take now (0: none; the driver then neither receives nor waits for RX
    /// calls). A work whose budget can come back from another thread must then wake the driver
    /// through <see cref="TxWorkFd"/> when it does after <see cref="SleepTimeout"/> (budget back before
    /// it, the driver sees itself).
    /// </summary>
    int RxBudget { get; }

    /// <summary>
    /// Ring slots the next frame to send needs (0: nothing waits to be sent). While fewer are free,
    /// the driver makes ring.h's final check on the TX ring and sleeps until the backend answers.
    /// </summary>
    int TxSlotsWanted { get; }

    /// <summary>True when the driver's loop should end (looked at after every round).</summary>
    bool IsDone { get; }

    /// <summary>
    /// Places up to <paramref name="budget"/> frames on the TX ring (<see cref="NetfrontQueue.TrySend"/>,
    /// <see cref="NetfrontQueue.TryBeginSendPages"/>/<see cref="NetfrontQueue.CommitSendPages"/>, …)
    /// and returns how many it handled, dropped ones included: anything above 0 makes the driver poll
    /// once more before sleeping. The driver pushes (and kicks if asked) after the call.
    /// </summary>
    int Transmit(NetfrontQueue queue, int budget);

    /// <summary>The driver saw <see cref="TxWorkFd"/> readable (drain an eventfd here).</summary>
    void OnTxWorkReadable();

    /// <summary>
    /// Called right before the driver sleeps (a round moved nothing and the final checks found no
    /// responses): the longest sleep in milliseconds, -1 for "until an event", 0 to poll again now
    /// (e.g. work arrived after a doorbell flag was set).
    /// </summary>
    int SleepTimeout();
}
