using Netback.Daemon.Configuration;

namespace Netback.Tests.Daemon.Configuration;

/// <summary>The vifspec's offload keys (this emulation's, beside xl's): <c>offloads=</c> and <c>tx-copy=</c>.</summary>
public sealed class VifSpecOffloadTests
{
    private static VifSpec Parse(string text)
    {
        Assert.True(VifSpec.TryParse(text, out var spec, out string? error), error);
        return spec;
    }

    [Fact]
    public void Unset_keys_leave_the_defaults_to_the_daemon()
    {
        var s = Parse("mtu=1500");
        Assert.Null(s.Offloads);
        Assert.Null(s.TxCopy);
    }

    [Theory]
    [InlineData("offloads=on", true)]
    [InlineData("offloads=off", false)]
    public void Offloads_is_on_or_off(string text, bool expected) => Assert.Equal(expected, Parse(text).Offloads);

    [Theory]
    [InlineData("tx-copy=direct", TxCopyMode.Direct)]
    [InlineData("tx-copy=bounce", TxCopyMode.Bounce)]
    [InlineData("tx-copy=map", TxCopyMode.Map)]
    public void Tx_copy_is_direct_bounce_or_map(string text, TxCopyMode expected) => Assert.Equal(expected, Parse(text).TxCopy);

    [Theory]
    [InlineData("offloads=yes", "offloads 'yes' must be on or off")]
    [InlineData("offloads=ON", "offloads 'ON' must be on or off")]
    [InlineData("offloads=1", "offloads '1' must be on or off")]
    [InlineData("offloads=", "offloads '' must be on or off")]
    [InlineData("tx-copy=zero", "tx-copy 'zero' must be direct, bounce or map")]
    [InlineData("tx-copy=", "tx-copy '' must be direct, bounce or map")]
    [InlineData("tx-copy=mmap", "tx-copy 'mmap' must be direct, bounce or map")]
    [InlineData("tx-copy=MAP", "tx-copy 'MAP' must be direct, bounce or map")]
    [InlineData("offloads=on,offloads=off", "key 'offloads' given twice")]
    public void Bad_values_are_refused_with_a_clear_error(string text, string message)
    {
        Assert.False(VifSpec.TryParse(text, out _, out string? error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void The_unknown_key_error_lists_the_new_keys()
    {
        Assert.False(VifSpec.TryParse("offload=on", out _, out string? error));
        Assert.Contains("offloads, tx-copy", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_later_spec_overrides_the_offload_keys_it_sets()
    {
        var daemon = Parse("offloads=off,tx-copy=bounce");
        Assert.False(daemon.OverrideWith(Parse("mtu=9000")).Offloads);
        Assert.Equal(TxCopyMode.Bounce, daemon.OverrideWith(Parse("mtu=9000")).TxCopy);
        Assert.True(daemon.OverrideWith(Parse("offloads=on")).Offloads);
        Assert.Equal(TxCopyMode.Direct, daemon.OverrideWith(Parse("tx-copy=direct")).TxCopy);
    }

    [Theory]
    [InlineData("")]
    [InlineData("offloads=off")]
    [InlineData("tx-copy=bounce")]
    [InlineData("tx-copy=map")]
    [InlineData("mac=00:16:3e:0a:0b:0c,bridge=xenbr0,ip=10.0.0.2 fd00::2,rate=10Mb/s@50ms,vifname=web0.1,mtu=9000,offloads=on,tx-copy=direct")]
    public void Format_round_trips(string text)
    {
        var spec = Parse(text);
        string formatted = spec.Format();
        Assert.Equal(text, formatted);
        var again = Parse(formatted);
        Assert.Equal(spec.Offloads, again.Offloads);
        Assert.Equal(spec.TxCopy, again.TxCopy);
        Assert.Equal(spec.Mtu, again.Mtu);
        Assert.Equal(spec.Ips, again.Ips);
        Assert.Equal(formatted, again.Format());
    }
}
