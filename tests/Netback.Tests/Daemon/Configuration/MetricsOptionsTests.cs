using Netback.Daemon.Configuration;

namespace Netback.Tests.Daemon.Configuration;

/// <summary>Netback:Metrics: the Prometheus endpoint is off by default, loopback unless AllowRemote, and a bad address fails the start.</summary>
public sealed class MetricsOptionsTests
{
    private static string[] Failures(string prometheus, bool allowRemote = false)
    {
        var result = new MetricsOptionsValidator().Validate(null, new MetricsOptions { Prometheus = prometheus, AllowRemote = allowRemote });
        return result.Failed ? result.Failures!.ToArray() : [];
    }

    [Fact]
    public void Off_by_default() => Assert.Empty(Failures(new MetricsOptions().Prometheus));

    [Theory]
    [InlineData("127.0.0.1:9108", "127.0.0.1", 9108)]
    [InlineData("127.0.0.2:80", "127.0.0.2", 80)]
    [InlineData("[::1]:9108", "::1", 9108)]
    [InlineData("localhost:9108", "127.0.0.1", 9108)]
    public void A_loopback_address_and_port_are_taken(string text, string address, int port)
    {
        Assert.Empty(Failures(text));
        Assert.True(MetricsOptions.TryParseEndpoint(text, false, out var endpoint, out _));
        Assert.Equal(address, endpoint!.Address.ToString());
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("::1:9108")]
    [InlineData("metrics.example:9108")]
    [InlineData("127.0.0.1:http")]
    public void Anything_but_address_and_port_fails_saying_the_form(string text) =>
        Assert.Contains("must be ADDRESS:PORT", Assert.Single(Failures(text)), StringComparison.Ordinal);

    [Theory]
    [InlineData("0.0.0.0:9108")]
    [InlineData("192.0.2.7:9108")]
    [InlineData("[::]:9108")]
    public void A_remote_address_needs_allow_remote(string text)
    {
        Assert.Contains("set Netback:Metrics:AllowRemote=true", Assert.Single(Failures(text)), StringComparison.Ordinal);
        Assert.Empty(Failures(text, allowRemote: true));
    }
}
