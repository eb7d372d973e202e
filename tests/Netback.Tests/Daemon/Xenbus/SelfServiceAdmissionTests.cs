using System.Net;
using Netback.Daemon.Configuration;
using static Netback.Tests.Daemon.Xenbus.AdmissionBench;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// A "self-service" access rule (development): its uid may declare vifs on the fly within its
/// <c>DomIds</c>, setting the granted keys within the rule's globs, prefixes and MTU range, and
/// nothing beyond them.
/// </summary>
public sealed class SelfServiceAdmissionTests
{
    private static AdmissionBench Bench(params string[] extra) => new([
        "Access:Rules:0:Uid=1000", "Access:Rules:0:SelfService=true", "Access:Rules:0:DomIds=100-199,300",
        "Access:Rules:0:Keys:0=mac", "Access:Rules:0:Keys:1=vifname", "Access:Rules:0:Keys:2=bridge",
        "Access:Rules:0:Keys:3=ip", "Access:Rules:0:Keys:4=mtu",
        "Access:Rules:0:Macs:0=02:00:00:*", "Access:Rules:0:VifNames:0=dev*", "Access:Rules:0:VifNames:1=vif1??.0",
        "Access:Rules:0:VifNames:2=vif3??.0",
        "Access:Rules:0:Bridges:0=devbr*", "Access:Rules:0:Ips:0=10.9.0.0/24", "Access:Rules:0:Ips:1=fd09::/64",
        "Access:Rules:0:Mtu=1280-9000",
        "Vifs:0:DomId=150", "Vifs:0:Uid=2000", "Vifs:0:Spec=vifname=dev9",
        .. extra]);

    private const string Mac = "mac=02:00:00:00:00:01";

    [Fact]
    public void Within_its_rule_a_uid_declares_on_the_fly()
    {
        var plan = Bench().Admit(Uid(1000), $"{Mac},vifname=dev0,bridge=devbr0,ip=10.9.0.7 fd09::7,mtu=9000", domId: 120);
        Assert.Equal((120, 0, "dev0"), (plan.Identity.DomId, plan.Identity.Handle, plan.Identity.Name));
        Assert.Equal("02:00:00:00:00:01", XenMac.Format(plan.Mac));
        Assert.Equal("devbr0", plan.Bridge);
        Assert.Equal([IPNetwork.Parse("10.9.0.7/32"), IPNetwork.Parse("fd09::7/128")], plan.Ips);
        Assert.Equal(9000, plan.Mtu);
    }

    [Fact]
    public void Without_a_domid_it_gets_the_first_free_one_of_its_range()
    {
        var bench = Bench();
        Assert.Equal("vif100.0", bench.Admit(Uid(1000), Mac).Identity.Name);
        Assert.Equal("vif101.0", bench.Admit(Uid(1000), "mac=02:00:00:00:00:02").Identity.Name);
        Assert.Equal(300, bench.Admit(Uid(1000), "mac=02:00:00:00:00:03", domId: 300).Identity.DomId);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(200)]
    [InlineData(299)]
    [InlineData(1)]
    public void A_domid_outside_its_range_is_refused(int domId)
    {
        string reason = Bench().Refused(Uid(1000), Mac, domId: domId);
        Assert.Contains($"domid {domId} is outside", reason, StringComparison.Ordinal);
        Assert.Contains("100-199,300", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_domid_in_its_range_declared_for_someone_else_is_refused()
    {
        var bench = Bench();
        Assert.Contains("vif150.0 is not declared for uid 1000", bench.Refused(Uid(1000), Mac, domId: 150), StringComparison.Ordinal);
        // Nor may it take that declaration's name for a vif of its own.
        Assert.Contains("dev9", bench.Refused(Uid(1000), $"{Mac},vifname=dev9", domId: 151), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mac=00:16:3e:00:00:01", "mac 00:16:3e:00:00:01 not allowed")]
    [InlineData("vifname=eth1", "vif name eth1 not allowed")]
    [InlineData("vifname=vif5.0", "vif5.0")]
    [InlineData("bridge=xenbr0", "bridge xenbr0 not allowed")]
    [InlineData("ip=10.9.1.7", "ip 10.9.1.7/32 not allowed")]
    [InlineData("ip=10.9.0.0/16", "ip 10.9.0.0/16 not allowed")]
    [InlineData("ip=0.0.0.0/0 ::/0", "ip 0.0.0.0/0 not allowed")]
    [InlineData("ip=fd09::7 fd0a::7", "ip fd0a::7/128 not allowed")]
    [InlineData("mtu=68", "mtu 68 not allowed")]
    [InlineData("mtu=9001", "mtu 9001 not allowed")]
    [InlineData("rate=1Gb/s", "rate=")]
    [InlineData("tx-copy=bounce", "tx-copy=")]
    public void Beyond_its_rule_it_is_refused(string extra, string reasonPart)
    {
        string spec = extra.StartsWith("mac=", StringComparison.Ordinal) ? extra : $"{Mac},{extra}";
        string reason = Bench().Refused(Uid(1000), spec, domId: 120);
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_generated_name_is_judged_too()
    {
        var bench = Bench("Access:Rules:0:VifNames:1=dev*", "Access:Rules:0:VifNames:2=dev*");
        Assert.Contains("vif name vif120.0 not allowed", bench.Refused(Uid(1000), Mac, domId: 120), StringComparison.Ordinal);
    }

    [Fact]
    public void A_chosen_name_that_is_another_vifs_generated_name_is_refused_whatever_the_globs()
    {
        var bench = Bench("Access:Rules:0:VifNames:0=*");
        Assert.Contains("vif5.0", bench.Refused(Uid(1000), $"{Mac},vifname=vif5.0", domId: 120), StringComparison.Ordinal);
        Assert.Contains("vif121.0", bench.Refused(Uid(1000), $"{Mac},vifname=vif121.0", domId: 120), StringComparison.Ordinal);
        Assert.Equal("vif120.0", bench.Admit(Uid(1000), $"{Mac},vifname=vif120.0", domId: 120).Identity.Name);
    }

    [Fact]
    public void A_chosen_mac_may_not_be_another_vifs()
    {
        var bench = Bench("Access:Rules:0:Macs:0=*");
        bench.Admit(Uid(1000), Mac, domId: 100);
        Assert.Contains("mac 02:00:00:00:00:01 is vif100.0's", bench.Refused(Uid(1000), Mac, domId: 101), StringComparison.Ordinal);
        // vif150.0 (dev9) is declared, not connected; its MAC is derived from its ids: 150 = 0x96.
        Assert.Contains("mac 00:16:3e:80:96:00 is dev9's", bench.Refused(Uid(1000), "mac=00:16:3e:80:96:00", domId: 101),
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_uid_without_a_self_service_rule_declares_nothing()
    {
        var bench = Bench("Access:Rules:1:Uid=1001", "Access:Rules:1:Keys:0=mac");
        Assert.Contains("vif120.0 is not declared", bench.Refused(Uid(1001), domId: 120), StringComparison.Ordinal);
        Assert.Contains("no vif is declared for uid 1001", bench.Refused(Uid(1001)), StringComparison.Ordinal);
    }
}
