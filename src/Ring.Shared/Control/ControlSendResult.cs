namespace Ring.Shared.Control;

/// <summary>What became of one <see cref="ControlChannel.TrySend"/>.</summary>
public enum ControlSendResult
{
    Sent,

    /// <summary>
    /// The peer's queue is full (EAGAIN): it does not read. Control records are small and rare, so
    /// an honest peer never gets there; nothing was sent, and nothing will be waited for.
    /// </summary>
    PeerNotReading,

    /// <summary>The connection is gone (EPIPE, ECONNRESET, closed here).</summary>
    PeerGone,
}
