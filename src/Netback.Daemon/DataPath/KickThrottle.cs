using System.Diagnostics;

namespace Netback.Daemon.DataPath;

/// <summary>
/// One kick channel's late-EOI state (XSA-332), as Linux's xen_irq_lateeoi_locked keeps it per event
/// channel (drivers/xen/events/events_base.c): a kick that finds no work is spurious; past
/// <see cref="KickStormPolicy.Threshold"/> in a row, the channel's re-enable is delayed
/// 2^(n-1-threshold) ms, capped at <see cref="KickStormPolicy.MaxDelayMs"/>; a kick that finds work
/// resets the count. Linux counts jiffies (1 to 4 ms); this counts milliseconds. Beyond Linux, a
/// storm that lasts <see cref="KickStormPolicy.Limit"/> spurious kicks in a row disables the vif.
/// Owned by the queue's worker thread; no allocation.
/// </summary>
internal sealed class KickThrottle
{
    private readonly KickStormPolicy _policy;
    /// <summary>Linux's spurious_cnt: consecutive spurious kicks, no longer counted once the delay is at its cap.</summary>
    private int _count;

    public KickThrottle(KickStormPolicy policy) => _policy = policy;

    /// <summary>Spurious kicks in a row, uncapped (what <see cref="KickStormPolicy.Limit"/> is checked against).</summary>
    public long InARow { get; private set; }

    /// <summary>Stopwatch timestamp at which a masked channel is re-enabled; 0 while it is not masked.</summary>
    public long MaskedUntil { get; private set; }

    public bool IsMasked => MaskedUntil != 0;

    /// <summary>Judges a kick just heard; <paramref name="delayMs"/> is the mask with <see cref="KickVerdict.Mask"/>.</summary>
    public KickVerdict OnKick(bool foundWork, long now, out int delayMs)
    {
        delayMs = 0;
        if (foundWork)
        {
            _count = 0;
            InARow = 0;
            return KickVerdict.Work;
        }
        InARow++;
        // events_base.c: "if ((1 << info->spurious_cnt) < (HZ << 2)) info->spurious_cnt++".
        if ((1L << _count) < 4L * _policy.MaxDelayMs && _count < 62)
        {
            _count++;
        }
        if (_policy.Limit > 0 && InARow >= _policy.Limit)
        {
            return KickVerdict.Storm;
        }
        if (_count <= _policy.Threshold)
        {
            return KickVerdict.Spurious;
        }
        // "delay = 1 << (info->spurious_cnt - 1 - threshold); if (delay > HZ) delay = HZ;"
        delayMs = (int)Math.Min(1L << Math.Min(_count - 1 - _policy.Threshold, 40), _policy.MaxDelayMs);
        MaskedUntil = now + delayMs * Stopwatch.Frequency / 1000;
        return KickVerdict.Mask;
    }

    /// <summary>epoll_wait timeout until the channel is re-enabled: -1 when not masked, else at least 0.</summary>
    public int MsUntilUnmask(long now)
    {
        if (MaskedUntil == 0)
        {
            return -1;
        }
        long ticks = MaskedUntil - now;
        return ticks <= 0 ? 0 : (int)Math.Min(int.MaxValue, (ticks * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency);
    }

    /// <summary>True (and the channel counts as unmasked) when its delay is over at <paramref name="now"/>.</summary>
    public bool TryUnmask(long now)
    {
        if (MaskedUntil == 0 || now < MaskedUntil)
        {
            return false;
        }
        MaskedUntil = 0;
        return true;
    }
}
