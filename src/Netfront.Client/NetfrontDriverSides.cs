namespace Netfront.Client;

/// <summary>
/// Which directions of a queue one <see cref="NetfrontQueueDriver{TWork}"/> runs: both on one thread
/// (netfront's one NAPI context per queue), or guest TX and guest RX on two threads
/// (<c>netfront attach --threads split</c>), which needs split event channels so that each thread
/// sleeps on a call eventfd of its own.
/// </summary>
public enum NetfrontDriverSides
{
    /// <summary>Reclaim, transmit and receive on one thread.</summary>
    Both,

    /// <summary>Reclaim TX responses and transmit: sleeps on the TX call and the work's fd.</summary>
    Tx,

    /// <summary>Receive: sleeps on the RX call.</summary>
    Rx,
}
