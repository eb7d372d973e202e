using static Netback.Tests.Daemon.Xenbus.AdmissionBench;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// The operator's <c>rate=</c> (a declaration's, or <c>Netback:DefaultVifSpec</c>'s) is a ceiling: a
/// frontend allowed to send <c>rate=</c> gets the lower of the two, never more.
/// </summary>
public sealed class RateCeilingTests
{
    [Theory]
    [InlineData("rate=1Gb/s", "10Mb/s@50ms")]
    [InlineData("rate=20Mb/s@10ms", "10Mb/s@50ms")]
    [InlineData("rate=1Mb/s", "1Mb/s@50ms")]
    [InlineData("rate=5Mb/s@20ms", "5Mb/s@20ms")]
    [InlineData(null, "10Mb/s@50ms")]
    public void Root_cannot_lift_the_default_rate(string? vifSpec, string effective)
    {
        var plan = new AdmissionBench("DefaultVifSpec=mtu=1500,rate=10Mb/s").Admit(Root, vifSpec, domId: 3);
        Assert.Equal(effective, plan.Rate?.ToString());
    }

    [Theory]
    [InlineData("rate=100Mb/s", "10Mb/s@50ms")]
    [InlineData("rate=1Mb/s", "1Mb/s@50ms")]
    public void A_granted_rate_is_capped_by_the_declaration(string vifSpec, string effective)
    {
        var bench = new AdmissionBench("Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Vifs:0:Spec=rate=10Mb/s",
            "Access:Rules:0:Uid=1000", "Access:Rules:0:Keys:0=rate");
        Assert.Equal(effective, bench.Admit(Uid(1000), vifSpec, domId: 5).Rate?.ToString());
    }

    [Fact]
    public void Without_any_admin_rate_a_granted_rate_applies()
    {
        var bench = new AdmissionBench("Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Access:Rules:0:Uid=1000", "Access:Rules:0:Keys:0=rate");
        Assert.Equal("100Mb/s@50ms", bench.Admit(Uid(1000), "rate=100Mb/s", domId: 5).Rate?.ToString());
    }
}
