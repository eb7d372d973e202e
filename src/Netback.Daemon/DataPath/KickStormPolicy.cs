using Netback.Daemon.Configuration;

namespace Netback.Daemon.DataPath;

/// <summary>
/// How kicks that announce nothing are throttled and when their storm disables the vif, after
/// Linux's late EOI (XSA-332, drivers/xen/events/events_base.c <c>xen_irq_lateeoi_locked</c>).
/// </summary>
/// <param name="Threshold">
/// Spurious kicks in a row taken without delay (the xenbus device's <c>spurious_threshold</c>,
/// default 1 in Linux). An honest frontend kicks only after publishing a request, so it makes at most
/// one in a row: a kick that races the worker's own look at the ring.
/// </param>
/// <param name="MaxDelayMs">
/// Longest mask of a channel: the delay doubles from 1 ms per spurious kick past the threshold up to
/// this (Linux: HZ jiffies, one second). At the cap a storm costs the worker one wake-up a second.
/// </param>
/// <param name="Limit">
/// Spurious kicks in a row after which the vif is disabled (<see cref="Diagnostics.FatalReason.KickStorm"/>);
/// 0 never disables, as Linux. 40 is about 30 s of a storm that never lets up (12 kicks reach the cap
/// within about a second, each later one takes a second): long enough that no transient trips it,
/// short enough that the operator hears of it within the minute. Linux has no such limit.
/// </param>
internal sealed record KickStormPolicy(int Threshold, int MaxDelayMs, int Limit)
{
    public static KickStormPolicy Default { get; } = new(1, 1000, 40);

    public static KickStormPolicy From(NetbackOptions options) =>
        new(options.SpuriousKickThreshold, options.SpuriousKickMaxDelayMs, options.SpuriousKickLimit);
}
