using Netback.Daemon.Configuration;

namespace Netback.Tests.Daemon.Configuration;

/// <summary>Every start-time check of the daemon's settings.</summary>
public sealed class NetbackOptionsValidatorTests
{
    private static string[] Failures(Action<NetbackOptions> configure)
    {
        var o = new NetbackOptions();
        configure(o);
        var result = new NetbackOptionsValidator().Validate(null, o);
        return result.Failed ? result.Failures!.ToArray() : [];
    }

    private static void Passes(Action<NetbackOptions> configure) => Assert.Empty(Failures(configure));

    private static void FailsWith(Action<NetbackOptions> configure, string part)
    {
        var failures = Failures(configure);
        var failure = Assert.Single(failures);
        Assert.Contains(part, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_pass()
    {
        var o = new NetbackOptions();
        Assert.True(new NetbackOptionsValidator().Validate(null, o).Succeeded);
        Assert.Equal("/run/netback/netback.sock", o.SocketPath);
        Assert.InRange(o.MaxQueues, 1, 4);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("netback.sock")]
    [InlineData("run/netback/netback.sock")]
    [InlineData("./nb.sock")]
    public void A_relative_or_empty_socket_path_fails(string path) =>
        FailsWith(o => o.SocketPath = path, "Netback:SocketPath must be an absolute path");

    [Fact]
    public void A_socket_path_over_107_bytes_fails()
    {
        Passes(o => o.SocketPath = "/" + new string('a', 106));
        FailsWith(o => o.SocketPath = "/" + new string('a', 107), "107 bytes");
        // Counted in UTF-8 bytes, not characters: 1 + 2 * 54 = 109 bytes in 55 characters.
        FailsWith(o => o.SocketPath = "/" + new string('é', 54), "107 bytes");
        Passes(o => o.SocketPath = "/" + new string('é', 53));
    }

    [Theory]
    [InlineData("per-queue")]
    [InlineData("split")]
    [InlineData("pool:1")]
    [InlineData("pool:2")]
    [InlineData("pool:64")]
    public void Every_thread_model_passes(string threads) => Passes(o => o.Threads = threads);

    [Theory]
    [InlineData("pool:0")]
    [InlineData("pool:x")]
    [InlineData("pool:65")]
    [InlineData("pool:")]
    [InlineData("pool:-1")]
    [InlineData("pool:+2")]
    [InlineData("pool: 2")]
    [InlineData("pool:002")]
    [InlineData("POOL:2")]
    [InlineData("bogus")]
    [InlineData("")]
    [InlineData("per-queue ")]
    public void A_bad_thread_model_fails_naming_the_allowed_values(string threads) =>
        FailsWith(o => o.Threads = threads, $"Netback:Threads: must be 'per-queue', 'split' or 'pool:N' with N 1..64 (got '{threads}')");

    [Fact]
    public void The_default_thread_model_is_per_queue() => Assert.Equal("per-queue", new NetbackOptions().Threads);

    [Theory]
    [InlineData("0660")]
    [InlineData("660")]
    [InlineData("0777")]
    [InlineData("0")]
    [InlineData("0600")]
    public void Octal_socket_modes_up_to_0777_pass(string mode) => Passes(o => o.SocketMode = mode);

    [Theory]
    [InlineData("")]
    [InlineData("0668")]
    [InlineData("0x1b6")]
    [InlineData("rw-rw----")]
    [InlineData("1000")]     // 0o1000 > 0777
    [InlineData("4755")]     // setuid
    [InlineData("01777")]    // sticky, and five digits
    [InlineData("-660")]
    [InlineData(" 660")]
    public void Bad_socket_modes_fail(string mode) => FailsWith(o => o.SocketMode = mode, "Netback:SocketMode must be octal");

    [Fact]
    public void TryParseMode_reads_octal()
    {
        Assert.True(NetbackOptionsValidator.TryParseMode("0660", out int mode));
        Assert.Equal(0x1B0, mode);
        Assert.True(NetbackOptionsValidator.TryParseMode("777", out mode));
        Assert.Equal(0x1FF, mode);
        Assert.False(NetbackOptionsValidator.TryParseMode(null, out _));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(16, true)]
    [InlineData(17, false)]
    [InlineData(-1, false)]
    public void MaxQueues_must_be_1_to_16(int value, bool ok)
    {
        if (ok)
        {
            Passes(o => o.MaxQueues = value);
        }
        else
        {
            FailsWith(o => o.MaxQueues = value, $"Netback:MaxQueues must be 1..16 (got {value})");
        }
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(4, true)]
    [InlineData(5, false)]
    public void MaxRingPageOrder_must_be_0_to_4(int value, bool ok)
    {
        if (ok)
        {
            Passes(o => o.MaxRingPageOrder = value);
        }
        else
        {
            FailsWith(o => o.MaxRingPageOrder = value, $"Netback:MaxRingPageOrder must be 0..4 (got {value})");
        }
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(300, true)]
    [InlineData(301, false)]
    public void HandshakeTimeoutSeconds_must_be_1_to_300(int value, bool ok)
    {
        if (ok)
        {
            Passes(o => o.HandshakeTimeoutSeconds = value);
        }
        else
        {
            FailsWith(o => o.HandshakeTimeoutSeconds = value, $"Netback:HandshakeTimeoutSeconds must be 1..300 (got {value})");
        }
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(4096, true)]
    [InlineData(4097, false)]
    public void MaxVifs_must_be_1_to_4096(int value, bool ok)
    {
        if (ok)
        {
            Passes(o => o.MaxVifs = value);
        }
        else
        {
            FailsWith(o => o.MaxVifs = value, $"Netback:MaxVifs must be 1..4096 (got {value})");
        }
    }

    [Theory]
    [InlineData("mtu=9", "mtu '9'")]
    [InlineData("colour=blue", "unknown vifspec key")]
    [InlineData("mac=01:00:00:00:00:01", "mac")]
    [InlineData("mtu", "not key=value")]
    public void A_bad_DefaultVifSpec_fails(string spec, string part)
    {
        var failure = Assert.Single(Failures(o => o.DefaultVifSpec = spec));
        Assert.StartsWith("Netback:DefaultVifSpec: ", failure, StringComparison.Ordinal);
        Assert.Contains(part, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_good_DefaultVifSpec_passes() => Passes(o => o.DefaultVifSpec = "mtu=9000,bridge=xenbr0");

    [Fact]
    public void Every_failure_is_reported_at_once()
    {
        var failures = Failures(o =>
        {
            o.SocketPath = "rel";
            o.SocketMode = "9";
            o.MaxQueues = 0;
            o.MaxRingPageOrder = 5;
            o.HandshakeTimeoutSeconds = 0;
            o.MaxVifs = 0;
            o.DefaultVifSpec = "x";
        });
        Assert.Equal(7, failures.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("same")]
    [InlineData("SAME-CPU")]
    [InlineData("same-cpu ")]
    [InlineData("numa")]
    public void An_unknown_placement_fails_naming_the_allowed_values(string placement) =>
        FailsWith(o => o.Placement = placement, $"Netback:Placement must be none, same-cpu, other-cpu, same-node or other-node (got '{placement}')");

    [Theory]
    [InlineData("none")]
    [InlineData("same-cpu")]
    [InlineData("other-cpu")]
    [InlineData("same-node")]
    [InlineData("other-node")]
    public void Every_placement_passes(string placement) => Passes(o => o.Placement = placement);
}
