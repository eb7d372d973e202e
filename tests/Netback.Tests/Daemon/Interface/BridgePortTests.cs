using Netback.Daemon.Interface;

namespace Netback.Tests.Daemon.Interface;

/// <summary>The checks before a vif joins its bridge, over a made-up /sys/class/net (the root tier's BridgeMtuTests use a real bridge).</summary>
public sealed class BridgePortTests : IDisposable
{
    private readonly string _sys = Directory.CreateTempSubdirectory("netback-sys-").FullName;

    public BridgePortTests()
    {
        Device("xenbr0", "1500\n", bridge: true);
        Device("jumbo0", "9000\n", bridge: true);
        Device("eth0", "1500\n", bridge: false);
    }

    public void Dispose() => Directory.Delete(_sys, recursive: true);

    private void Device(string name, string mtu, bool bridge)
    {
        string dir = Directory.CreateDirectory(Path.Combine(_sys, name)).FullName;
        File.WriteAllText(Path.Combine(dir, "mtu"), mtu);
        if (bridge)
        {
            Directory.CreateDirectory(Path.Combine(dir, "bridge"));
        }
    }

    [Theory]
    [InlineData("xenbr0", 1500)]
    [InlineData("xenbr0", 9000)]
    [InlineData("jumbo0", 9000)]
    public void A_vif_at_or_above_the_bridges_mtu_may_join(string bridge, int mtu) => Assert.Null(BridgePort.Refusal(bridge, mtu, _sys));

    [Theory]
    [InlineData("xenbr0", 68, "mtu 68 would lower bridge xenbr0's MTU (1500): a vif on it needs mtu=1500 or more")]
    [InlineData("xenbr0", 1499, "mtu 1499 would lower bridge xenbr0's MTU (1500)")]
    [InlineData("jumbo0", 1500, "mtu 1500 would lower bridge jumbo0's MTU (9000)")]
    [InlineData("eth0", 1500, "bridge=eth0: eth0 is not a bridge")]
    [InlineData("br9", 1500, "bridge=br9: there is no network device br9")]
    public void Otherwise_the_refusal_says_why(string bridge, int mtu, string reason) =>
        Assert.StartsWith(reason, BridgePort.Refusal(bridge, mtu, _sys), StringComparison.Ordinal);

    [Fact]
    public void An_unreadable_mtu_is_a_refusal_not_a_guess()
    {
        Device("odd0", "lots\n", bridge: true);
        Assert.Equal("bridge=odd0: cannot read its MTU ('lots')", BridgePort.Refusal("odd0", 1500, _sys));
    }
}
