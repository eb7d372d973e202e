using System.Net;
using Netback.Daemon.Configuration;
using static Netback.Tests.Daemon.Xenbus.AdmissionBench;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// Xen's trust model at Connect: the operator (the toolstack) declares a vif, its owner and its
/// host-side settings; a frontend names its domid/devid and gets that vif only if its peer
/// credentials own it, with the declaration's MAC, bridge, addresses, rate, MTU and name.
/// </summary>
public sealed class DeclaredVifAdmissionTests
{
    private static AdmissionBench Bench(params string[] extra) => new([
        "Vifs:0:DomId=5", "Vifs:0:Uid=1000",
        "Vifs:0:Spec=mac=00:16:3e:00:05:00,bridge=xenbr0,ip=10.0.5.2,rate=10Mb/s,mtu=1400,vifname=web0",
        "Vifs:1:DomId=6", "Vifs:1:Uid=2000",
        "Vifs:2:DomId=7", "Vifs:2:DevId=1", "Vifs:2:Gid=27",
        "Vifs:3:DomId=8", "Vifs:3:Uid=1000", "Vifs:3:Spec=offloads=off",
        .. extra]);

    [Fact]
    public void A_declared_vif_gets_the_declarations_identity_and_settings()
    {
        var bench = Bench();
        var plan = bench.Admit(Uid(1000), domId: 5);
        Assert.Equal((5, 0, "web0"), (plan.Identity.DomId, plan.Identity.Handle, plan.Identity.Name));
        Assert.Equal("00:16:3e:00:05:00", XenMac.Format(plan.Mac));
        Assert.Equal("xenbr0", plan.Bridge);
        Assert.Equal([IPNetwork.Parse("10.0.5.2/32")], plan.Ips);
        Assert.Equal("10Mb/s@50ms", plan.Rate?.ToString());
        Assert.Equal(1400, plan.Mtu);
    }

    [Fact]
    public void A_declaration_without_a_mac_gets_one_derived_from_its_ids_so_it_survives_a_restart()
    {
        var first = Bench().Admit(Uid(2000), domId: 6);
        var again = Bench().Admit(Uid(2000), domId: 6);
        Assert.Equal(first.Mac, again.Mac);
        // Xen's OUI; the top bit of the fourth byte set, which libxl's random MACs never have.
        Assert.Equal("00:16:3e:80:06:00", XenMac.Format(first.Mac));
        Assert.Equal("vif6.0", first.Identity.Name);
    }

    [Fact]
    public void A_uid_may_not_take_a_vif_declared_for_another()
    {
        var bench = Bench();
        string reason = bench.Refused(Uid(1000), domId: 6);
        Assert.Contains("vif6.0 is not declared for uid 1000", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("2000", reason, StringComparison.Ordinal); // nothing about the owner leaks
    }

    [Theory]
    [InlineData(9, 0)]
    [InlineData(5, 1)]      // a declared domid with an undeclared devid
    [InlineData(32751, 255)]
    public void An_undeclared_vif_is_refused_to_a_uid_without_self_service(int domId, int devId)
    {
        string reason = Bench().Refused(Uid(1000), domId: domId, devId: devId);
        Assert.Contains($"vif{domId}.{devId} is not declared", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(32752)] // DOMID_FIRST_RESERVED
    [InlineData(65535)]
    public void An_out_of_range_domid_is_refused_before_admission(int domId)
    {
        var e = Assert.Throws<Ring.Shared.Control.ControlProtocolException>(() => Bench().Request(domId: domId));
        Assert.Contains("'domid'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_owns_a_declaration_through_the_primary_or_a_supplementary_gid()
    {
        var bench = Bench();
        var byPrimary = bench.Admit(Uid(1100, 27), domId: 7, devId: 1);
        bench.Release(byPrimary);
        var bySupplementary = bench.Admit(Uid(1101, 1101, 10, 27), domId: 7, devId: 1);
        bench.Release(bySupplementary);
        Assert.Contains("vif7.1 is not declared for uid 1102", bench.Refused(Uid(1102, 1102, 28), domId: 7, devId: 1), StringComparison.Ordinal);
    }

    [Fact]
    public void A_frontend_naming_no_domid_gets_the_first_free_vif_it_owns_then_a_clear_refusal()
    {
        var bench = Bench();
        var first = bench.Admit(Uid(1000));
        Assert.Equal("web0", first.Identity.Name);
        var second = bench.Admit(Uid(1000));
        Assert.Equal("vif8.0", second.Identity.Name);
        string reason = bench.Refused(Uid(1000));
        Assert.Contains("uid 1000 has no free declared vif", reason, StringComparison.Ordinal);
        Assert.Contains("web0", reason, StringComparison.Ordinal);
        Assert.Contains("no vif is declared for uid 3000", bench.Refused(Uid(3000)), StringComparison.Ordinal);

        bench.Release(first);
        Assert.Equal("web0", bench.Admit(Uid(1000)).Identity.Name);
    }

    [Fact]
    public void The_same_declared_vif_is_never_handed_out_twice()
    {
        var bench = Bench();
        bench.Admit(Uid(1000), domId: 5);
        Assert.Contains("exists already", bench.Refused(Uid(1000), domId: 5), StringComparison.Ordinal);
    }

    [Fact]
    public void A_frontend_may_narrow_offloads_but_not_widen_what_the_operator_turned_off()
    {
        var bench = Bench();
        var widened = bench.Admit(Uid(1000), "offloads=on", domId: 8);
        Assert.Equal(Ring.Shared.Offload.OffloadFeatures.None, widened.Offloads.Tx);
        var narrowed = bench.Admit(Uid(2000), "offloads=off", domId: 6);
        Assert.Equal(Ring.Shared.Offload.OffloadFeatures.None, narrowed.Offloads.Tx);
    }
}
