namespace Netback.Daemon.Configuration;

/// <summary>The shapes of <see cref="ThreadModel"/>.</summary>
internal enum ThreadModelKind
{
    /// <summary>One worker per queue, both directions (the roadmap's 1:1).</summary>
    PerQueue,

    /// <summary>A fixed set of workers shared by every queue of every vif (netback's old M:N).</summary>
    Pool,

    /// <summary>Two workers per queue: guest TX and guest RX (Linux netback's NAPI and guest-rx kthread).</summary>
    Split,
}
