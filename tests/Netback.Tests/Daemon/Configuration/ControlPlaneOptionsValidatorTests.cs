using Netback.Daemon.Configuration;

namespace Netback.Tests.Daemon.Configuration;

/// <summary>The control plane's bounds are checked at start, one line per problem naming the key.</summary>
public sealed class ControlPlaneOptionsValidatorTests
{
    private static string[] Failures(Action<ControlPlaneOptions> configure)
    {
        var o = new ControlPlaneOptions();
        configure(o);
        var result = new ControlPlaneOptionsValidator().Validate(null, o);
        return result.Failed ? result.Failures!.ToArray() : [];
    }

    [Fact]
    public void The_defaults_pass_and_are_the_documented_ones()
    {
        var o = new ControlPlaneOptions();
        Assert.Empty(Failures(_ => { }));
        Assert.Equal(128, o.MaxPendingHandshakes);
        Assert.Equal(16, o.MaxPendingHandshakesPerUid);
        Assert.Equal(2, o.ControlWorkerThreads);
        Assert.Equal(10, o.ShutdownTimeoutSeconds);
    }

    [Theory]
    [InlineData(0, 1, 2, 10, "Netback:MaxPendingHandshakes must be 1..65536")]
    [InlineData(65537, 1, 2, 10, "Netback:MaxPendingHandshakes must be 1..65536")]
    [InlineData(8, 0, 2, 10, "Netback:MaxPendingHandshakesPerUid must be 1..Netback:MaxPendingHandshakes (8)")]
    [InlineData(8, 9, 2, 10, "Netback:MaxPendingHandshakesPerUid must be 1..Netback:MaxPendingHandshakes (8)")]
    [InlineData(8, 8, 0, 10, "Netback:ControlWorkerThreads must be 1..16")]
    [InlineData(8, 8, 17, 10, "Netback:ControlWorkerThreads must be 1..16")]
    [InlineData(8, 8, 2, 0, "Netback:ShutdownTimeoutSeconds must be 1..80")]
    [InlineData(8, 8, 2, 81, "Netback:ShutdownTimeoutSeconds must be 1..80")]
    public void Each_bound_out_of_range_is_one_line(int max, int perUid, int workers, int shutdown, string message)
    {
        var failure = Assert.Single(Failures(o =>
        {
            o.MaxPendingHandshakes = max;
            o.MaxPendingHandshakesPerUid = perUid;
            o.ControlWorkerThreads = workers;
            o.ShutdownTimeoutSeconds = shutdown;
        }));
        Assert.StartsWith(message, failure, StringComparison.Ordinal);
    }
}
