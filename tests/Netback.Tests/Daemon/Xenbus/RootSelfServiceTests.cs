using Netback.Daemon.Configuration;
using static Netback.Tests.Daemon.Xenbus.AdmissionBench;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// Root frontends keep today's convenience (connect undeclared, with any vifspec) unless the operator
/// turns it off (<c>Netback:Access:RootSelfService=false</c>); either way the operator's declarations
/// are not theirs to take, by id or by name.
/// </summary>
public sealed class RootSelfServiceTests
{
    [Fact]
    public void Root_connects_undeclared_with_any_vifspec_by_default()
    {
        var plan = new AdmissionBench().Admit(Root, "mac=02:00:00:00:00:07,bridge=br9,ip=10.1.1.1,mtu=9000,vifname=r0,tx-copy=bounce", domId: 42);
        Assert.Equal((42, "r0", "br9", 9000), (plan.Identity.DomId, plan.Identity.Name, plan.Bridge, plan.Mtu));
        Assert.Equal("02:00:00:00:00:07", XenMac.Format(plan.Mac));
        Assert.Equal(TxCopyMode.Bounce, plan.Offloads.TxCopy);
    }

    [Fact]
    public void Root_self_service_skips_the_declared_ids_and_names()
    {
        var bench = new AdmissionBench("Vifs:0:DomId=1", "Vifs:0:Uid=1000", "Vifs:0:Spec=vifname=web0",
            "Vifs:1:DomId=2", "Vifs:1:Uid=1000");
        Assert.Equal("vif3.0", bench.Admit(Root).Identity.Name);
        Assert.Contains("vif1.0 is not declared for uid 0", bench.Refused(Root, domId: 1), StringComparison.Ordinal);
        Assert.Contains("web0", bench.Refused(Root, "vifname=web0", domId: 9), StringComparison.Ordinal);
        Assert.Contains("vif2.0", bench.Refused(Root, "vifname=vif2.0", domId: 9), StringComparison.Ordinal);
    }

    [Fact]
    public void With_RootSelfService_off_root_is_held_to_its_declarations_like_anyone()
    {
        var bench = new AdmissionBench("Access:RootSelfService=false", "Vifs:0:DomId=4", "Vifs:0:Uid=0");
        Assert.Contains("vif9.0 is not declared", bench.Refused(Root, domId: 9), StringComparison.Ordinal);
        Assert.Contains("bridge=", bench.Refused(Root, "bridge=xenbr0", domId: 4), StringComparison.Ordinal);
        Assert.Equal("vif4.0", bench.Admit(Root).Identity.Name);
        Assert.Contains("uid 0 has no free declared vif", bench.Refused(Root), StringComparison.Ordinal);
    }

    [Fact]
    public void An_existing_netdev_is_never_taken_even_by_root()
    {
        var bench = new AdmissionBench("Vifs:0:DomId=4", "Vifs:0:Uid=0", "Vifs:0:Spec=vifname=eth0");
        Assert.Contains("a network device named lo exists already", bench.Refused(Root, "vifname=lo", domId: 9), StringComparison.Ordinal);
        Assert.Contains("the name eth0 is declared for vif4.0", bench.Refused(Root, "vifname=eth0", domId: 9), StringComparison.Ordinal);
        Assert.Contains("a network device named eth0 exists already", bench.Refused(Root, domId: 4), StringComparison.Ordinal);
    }
}
