using Netback.Daemon.DataPath;
using Netback.Daemon.Configuration;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>The credit scheduler over simulated time (a 1 MHz clock: one tick per microsecond).</summary>
public sealed class CreditSchedulerTests
{
    private const long Hz = 1_000_000;

    private static RateLimit Rate(string text)
    {
        Assert.True(RateLimit.TryParse(text, out var rate, out string? error), error);
        return rate!;
    }

    /// <summary>A backlogged sender of <paramref name="frame"/>-byte packets that sleeps exactly as the worker would (whole ms, rounded up).</summary>
    private static double MeasureBitsPerSecond(CreditScheduler s, int frame, long seconds, ref long now)
    {
        long start = now, end = now + seconds * Hz, bytes = 0;
        while (now < end)
        {
            if (s.TryConsume(frame, now, out long wait))
            {
                bytes += frame;
                now += 1; // sending takes a little time
            }
            else
            {
                now += s.TicksToTimeoutMs(wait) * (Hz / 1000) + 37; // epoll wakes a bit late
            }
        }
        return bytes * 8.0 / ((now - start) / (double)Hz);
    }

    [Theory]
    [InlineData("10Mb/s", 1514)]
    [InlineData("500Mb/s", 1514)]
    [InlineData("500Mb/s", 65535)]
    [InlineData("1Gb/s@20ms", 9000)]
    [InlineData("100KB/s", 1514)]
    [InlineData("5MB/s@20000us", 1514)]
    public void Long_run_rate_is_within_one_percent(string text, int frame)
    {
        var rate = Rate(text);
        var s = new CreditScheduler(Hz);
        long now = 5 * Hz;
        s.SetRate(rate, now);
        double measured = MeasureBitsPerSecond(s, frame, 20, ref now);
        Assert.InRange(measured / rate.BitsPerSecond, 0.99, 1.01);
    }

    [Fact]
    public void Burst_after_idle_is_capped_at_128_KiB_minimum()
    {
        var s = new CreditScheduler(Hz);
        s.SetRate(Rate("10Mb/s"), 0); // 62500 bytes per 50 ms
        Assert.Equal(62500, s.RemainingCredit);
        // Idle spells add one interval's credit each time traffic resumes (tx_add_credit), up to the
        // cap, never the whole idle time's worth.
        Assert.True(s.TryConsume(1, 10 * Hz, out _));
        Assert.Equal(124_999, s.RemainingCredit);
        Assert.True(s.TryConsume(1, 20 * Hz, out _));
        Assert.Equal(131_071, s.RemainingCredit); // max(128 KiB, 2 × credit_bytes) = 131072
        long sent = 0;
        while (s.TryConsume(1000, 20 * Hz, out _))
        {
            sent += 1000;
        }
        Assert.Equal(131_000, sent);
        // The cap grows with credit_bytes (500 Mb/s: 3 125 000 bytes per 50 ms, two windows' worth).
        s.SetRate(Rate("500Mb/s"), 20 * Hz);
        for (long t = 30; t < 33; t++)
        {
            Assert.True(s.TryConsume(0, t * Hz, out _));
        }
        Assert.Equal(2 * 3_125_000, s.RemainingCredit);
    }

    [Fact]
    public void Out_of_credit_says_how_long_until_the_next_window()
    {
        var s = new CreditScheduler(Hz);
        s.SetRate(Rate("8Mb/s@10ms"), 0); // 10 000 bytes per 10 ms
        Assert.True(s.TryConsume(10_000, 1000, out _));
        Assert.False(s.TryConsume(1, 4000, out long wait));
        Assert.Equal(6000, wait);
        Assert.Equal(6, s.TicksToTimeoutMs(wait));
        Assert.True(s.TryConsume(1, 10_000, out _));
    }

    [Fact]
    public void A_packet_larger_than_the_burst_goes_on_a_full_bucket()
    {
        var s = new CreditScheduler(Hz);
        s.SetRate(Rate("8Mb/s@1s"), 0); // 1 000 000 bytes per second, burst 2 000 000
        long now = 100 * Hz;             // long idle: one refill fills the bucket
        Assert.True(s.TryConsume(0, now, out _));
        Assert.Equal(2_000_000, s.RemainingCredit);
        Assert.True(s.TryConsume(3_000_000, now, out _));
        Assert.True(s.RemainingCredit < 0); // it owes the difference
        Assert.False(s.TryConsume(100, now + 1, out _));
    }

    [Fact]
    public void Unlimited_never_waits_and_live_changes_take_effect()
    {
        var s = new CreditScheduler(Hz);
        long now = 0;
        Assert.True(s.TryConsume(int.MaxValue, now, out long wait));
        Assert.Equal(0, wait);
        Assert.Null(s.Rate);

        s.SetRate(Rate("10Mb/s"), now);
        double slow = MeasureBitsPerSecond(s, 1514, 10, ref now);
        Assert.InRange(slow, 9.9e6, 10.1e6);

        s.SetRate(Rate("100Mb/s"), now);
        Assert.Equal("100Mb/s@50ms", s.Rate!.ToString());
        double fast = MeasureBitsPerSecond(s, 1514, 10, ref now);
        Assert.InRange(fast, 99e6, 101e6);

        // Slowing down cuts the banked credit to one interval's worth, as netback's rate watch.
        s.SetRate(Rate("1Mb/s"), now);
        Assert.True(s.RemainingCredit <= 6250);
        double slower = MeasureBitsPerSecond(s, 1514, 10, ref now);
        Assert.InRange(slower, 0.99e6, 1.01e6);

        s.SetRate(null, now);
        Assert.True(s.TryConsume(10_000_000, now, out _));
    }

    [Fact]
    public void Queues_sharing_the_bucket_get_the_rate_together()
    {
        var s = new CreditScheduler(Hz);
        s.SetRate(Rate("80Mb/s@10ms"), 0);
        long bytes = 0;
        // Four "queues" interleaved: the bucket is the vif's, not each queue's.
        for (long now = 0; now < 10 * Hz; now += 100)
        {
            for (int q = 0; q < 4; q++)
            {
                if (s.TryConsume(1500, now, out _))
                {
                    bytes += 1500;
                }
            }
        }
        Assert.InRange(bytes * 8 / 10.0, 79.2e6, 80.8e6);
    }

    [Fact]
    public void Concurrent_charges_never_exceed_the_credit()
    {
        var s = new CreditScheduler(Hz);
        s.SetRate(Rate("8Mb/s@1s"), 0); // 1 000 000 bytes in the first window
        long sent = 0;
        Parallel.For(0, 4, _ =>
        {
            long mine = 0;
            for (int i = 0; i < 100_000; i++)
            {
                if (s.TryConsume(100, 10, out _))
                {
                    mine += 100;
                }
            }
            Interlocked.Add(ref sent, mine);
        });
        Assert.Equal(1_000_000, sent);
        Assert.Equal(0, s.RemainingCredit);
    }
}
