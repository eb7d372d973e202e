namespace Netback.Daemon.Configuration;

/// <summary>
/// netback's guest-RX stall handling (rx_stall_timeout_msecs, rx_drain_timeout_msecs): when a
/// frontend stops posting RX buffers, frames waiting in the TAP are dropped after
/// <see cref="DrainTimeout"/>, and after <see cref="StallTimeout"/> the vif's carrier goes off until
/// buffers come back.
/// </summary>
internal sealed record RxStallPolicy(TimeSpan StallTimeout, TimeSpan DrainTimeout)
{
    /// <summary>netback's defaults: 60 s and 10 s.</summary>
    public static RxStallPolicy Default { get; } = new(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10));

    public static RxStallPolicy From(NetbackOptions options) =>
        new(TimeSpan.FromMilliseconds(options.RxStallTimeoutMs), TimeSpan.FromMilliseconds(options.RxDrainTimeoutMs));
}
