using System.Diagnostics;
using Netback.Daemon.Configuration;
using Netback.Daemon.DataPath;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// The late-EOI throttle of one kick channel, against Linux's xen_irq_lateeoi_locked: spurious kicks
/// up to the threshold pass, then the channel is masked 1, 2, 4 … ms up to the cap; a kick with work
/// starts again; a storm that lasts the limit disables the vif (ours; Linux has no limit).
/// </summary>
public sealed class KickThrottleTests
{
    private static readonly long Ms = Stopwatch.Frequency / 1000;

    [Fact]
    public void Spurious_kicks_past_the_threshold_double_the_mask_up_to_the_cap()
    {
        var t = new KickThrottle(new KickStormPolicy(Threshold: 1, MaxDelayMs: 1000, Limit: 0));
        Assert.Equal(KickVerdict.Spurious, t.OnKick(false, 0, out int d));
        Assert.Equal(0, d);
        Assert.False(t.IsMasked);
        var delays = new List<int>();
        for (int i = 0; i < 14; i++)
        {
            Assert.Equal(KickVerdict.Mask, t.OnKick(false, 0, out d));
            delays.Add(d);
        }
        // events_base.c: delay = 1 << (spurious_cnt - 1 - threshold), at most HZ; the count stops growing at 4 HZ.
        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1000, 1000, 1000], delays);
        Assert.Equal(15, t.InARow);
    }

    [Fact]
    public void A_kick_with_work_starts_the_count_again()
    {
        var t = new KickThrottle(new KickStormPolicy(1, 1000, 5));
        t.OnKick(false, 0, out _);
        t.OnKick(false, 0, out _);
        t.OnKick(false, 0, out _);
        t.OnKick(false, 0, out _);
        Assert.Equal(KickVerdict.Work, t.OnKick(true, 0, out int d));
        Assert.Equal(0, d);
        Assert.Equal(0, t.InARow);
        Assert.Equal(KickVerdict.Spurious, t.OnKick(false, 0, out _));
        Assert.Equal(KickVerdict.Mask, t.OnKick(false, 0, out d));
        Assert.Equal(1, d);
    }

    [Fact]
    public void An_honest_pattern_of_one_spurious_kick_between_real_ones_is_never_delayed()
    {
        var t = new KickThrottle(KickStormPolicy.Default);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.NotEqual(KickVerdict.Mask, t.OnKick(i % 2 == 0, 0, out _));
        }
        Assert.False(t.IsMasked);
    }

    [Fact]
    public void A_storm_that_lasts_the_limit_is_reported_and_zero_never_is()
    {
        var t = new KickThrottle(new KickStormPolicy(1, 1000, 40));
        for (int i = 1; i < 40; i++)
        {
            Assert.NotEqual(KickVerdict.Storm, t.OnKick(false, 0, out _));
        }
        Assert.Equal(KickVerdict.Storm, t.OnKick(false, 0, out _));

        var never = new KickThrottle(new KickStormPolicy(1, 1000, 0));
        for (int i = 0; i < 100_000; i++)
        {
            Assert.NotEqual(KickVerdict.Storm, never.OnKick(false, 0, out _));
        }
    }

    [Fact]
    public void A_masked_channel_is_unmasked_when_its_delay_is_over()
    {
        var t = new KickThrottle(new KickStormPolicy(0, 1000, 0));
        long now = 1_000 * Ms;
        Assert.Equal(-1, t.MsUntilUnmask(now));
        Assert.Equal(KickVerdict.Mask, t.OnKick(false, now, out int d));
        Assert.Equal(1, d);
        Assert.Equal(KickVerdict.Mask, t.OnKick(false, now, out d));
        Assert.Equal(2, d);
        Assert.Equal(2, t.MsUntilUnmask(now));
        Assert.False(t.TryUnmask(now + Ms));
        Assert.Equal(1, t.MsUntilUnmask(now + Ms));
        Assert.True(t.TryUnmask(now + 2 * Ms));
        Assert.False(t.IsMasked);
        Assert.Equal(-1, t.MsUntilUnmask(now + 2 * Ms));
    }

    [Fact]
    public void The_policy_comes_from_the_options_and_bad_bounds_are_refused_at_start()
    {
        var defaults = new NetbackOptions();
        Assert.Equal(KickStormPolicy.Default, KickStormPolicy.From(defaults));
        Assert.Equal(new KickStormPolicy(3, 50, 0), KickStormPolicy.From(new NetbackOptions
        {
            SpuriousKickThreshold = 3,
            SpuriousKickMaxDelayMs = 50,
            SpuriousKickLimit = 0,
        }));
        var validator = new NetbackOptionsValidator();
        Assert.True(validator.Validate(null, defaults).Succeeded);
        foreach (var (bad, key) in new (Action<NetbackOptions>, string)[]
        {
            (o => o.SpuriousKickThreshold = -1, "SpuriousKickThreshold"),
            (o => o.SpuriousKickMaxDelayMs = 0, "SpuriousKickMaxDelayMs"),
            (o => o.SpuriousKickLimit = 1, "SpuriousKickLimit"), // not above the threshold: a second spurious kick would disable
            (o => o.SpuriousKickLimit = -5, "SpuriousKickLimit"),
        })
        {
            var o = new NetbackOptions();
            bad(o);
            var result = validator.Validate(null, o);
            Assert.True(result.Failed, key);
            Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
