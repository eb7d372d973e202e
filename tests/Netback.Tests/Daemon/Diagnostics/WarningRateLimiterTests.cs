using Microsoft.Extensions.Time.Testing;
using Netback.Daemon.Diagnostics;

namespace Netback.Tests.Daemon.Diagnostics;

public sealed class WarningRateLimiterTests
{
    [Fact]
    public void A_burst_passes_then_lines_are_held_back_and_counted()
    {
        var time = new FakeTimeProvider();
        var limiter = new WarningRateLimiter(3, TimeSpan.FromSeconds(1), time);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(limiter.TryAcquire(out long s));
            Assert.Equal(0, s);
        }
        for (int i = 0; i < 5; i++)
        {
            Assert.False(limiter.TryAcquire(out _));
        }
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(limiter.TryAcquire(out _));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryAcquire(out long suppressed));
        Assert.Equal(6, suppressed); // five, then one more just before the refill
        Assert.False(limiter.TryAcquire(out _));
    }

    [Fact]
    public void Refill_never_exceeds_the_burst()
    {
        var time = new FakeTimeProvider();
        var limiter = new WarningRateLimiter(2, TimeSpan.FromSeconds(1), time);
        time.Advance(TimeSpan.FromHours(1));
        Assert.True(limiter.TryAcquire(out _));
        Assert.True(limiter.TryAcquire(out _));
        Assert.False(limiter.TryAcquire(out _));
    }
}
