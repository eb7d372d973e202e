using System.Net;
using Netback.Daemon.Configuration;
using Netback.Daemon.DataPath;

namespace Netback.Tests.Daemon.Configuration;

/// <summary>xl's rate= grammar (libxlu_vif.c) and the ip= list, as the vifspec parses them.</summary>
public sealed class RateLimitTests
{
    [Theory]
    [InlineData("10Mb/s", 62_500UL, 50_000U)]
    [InlineData("500Mb/s", 3_125_000UL, 50_000U)]
    [InlineData("1Gb/s", 6_250_000UL, 50_000U)]
    [InlineData("100KB/s", 5_000UL, 50_000U)]
    [InlineData("100kB/s", 5_000UL, 50_000U)]
    [InlineData("5MB/s", 250_000UL, 50_000U)]
    [InlineData("1MB/s@20ms", 20_000UL, 20_000U)]     // xl-network-configuration(5)'s own example
    [InlineData("10Mb/s@20000us", 25_000UL, 20_000U)]
    [InlineData("8000b/s@1s", 1_000UL, 1_000_000U)]
    [InlineData("8000B/s@2", 16_000UL, 2_000_000U)]   // no unit: seconds, as libxlu
    public void Xl_rates_parse_to_bytes_per_interval(string text, ulong bytes, uint usec)
    {
        Assert.True(RateLimit.TryParse(text, out var rate, out string? error), error);
        Assert.Equal(bytes, rate!.BytesPerInterval);
        Assert.Equal(usec, rate.IntervalMicroseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10Mb")]          // "/s" is required
    [InlineData("10Mbit/s")]
    [InlineData("10 Mb/s")]
    [InlineData("0Mb/s")]
    [InlineData("-1Mb/s")]
    [InlineData("4294967296B/s")] // above 2^32-1, as libxlu
    [InlineData("10Tb/s")]
    [InlineData("10Mb/s@")]
    [InlineData("10Mb/s@0ms")]
    [InlineData("10Mb/s@50ns")]
    [InlineData("10Mb/s@50ms@1s")]
    [InlineData("@50ms")]
    [InlineData("1b/s@1ms")]      // no whole byte per interval
    public void Bad_rates_are_refused(string text) => Assert.False(RateLimit.TryParse(text, out _, out _));

    [Theory]
    [InlineData("10Mb/s", "10Mb/s@50ms")]
    [InlineData("1Gb/s@20ms", "1Gb/s@20ms")]
    [InlineData("100KB/s@20000us", "800Kb/s@20ms")]
    [InlineData("1MB/s@1500us", "8Mb/s@1500us")]
    public void Rates_print_in_bits(string text, string printed)
    {
        Assert.True(RateLimit.TryParse(text, out var rate, out _));
        Assert.Equal(printed, rate!.ToString());
    }

    [Fact]
    public void Vifspec_checks_rate_and_takes_ip_prefixes()
    {
        Assert.True(VifSpec.TryParse("rate=10Mb/s@20ms,ip=10.0.0.2 10.1.0.0/29 fd00::/64 fe80::1", out var spec, out string? error), error);
        Assert.Equal("10Mb/s@20ms", spec.Rate!.ToString());
        Assert.Equal(new[] { IPNetwork.Parse("10.0.0.2/32"), IPNetwork.Parse("10.1.0.0/29"), IPNetwork.Parse("fd00::/64"), IPNetwork.Parse("fe80::1/128") }, spec.Ips);

        Assert.False(VifSpec.TryParse("rate=10Mbit/s", out _, out error));
        Assert.Contains("rate '10Mbit/s'", error, StringComparison.Ordinal);
        Assert.False(VifSpec.TryParse("ip=10.0.0.1/24", out _, out error)); // host bits set
        Assert.Contains("prefix", error, StringComparison.Ordinal);
        Assert.False(VifSpec.TryParse("ip=10.0.0.0/33", out _, out _));
        Assert.False(VifSpec.TryParse("ip=fe80::1%eth0", out _, out _));
    }
}
