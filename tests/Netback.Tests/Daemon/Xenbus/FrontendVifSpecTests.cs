using Netback.Daemon.Configuration;
using static Netback.Tests.Daemon.Xenbus.AdmissionBench;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// What a frontend may put in its vifspec: the host-side keys (the vif's place on the host network)
/// are the operator's, and a frontend that sends one is refused with a reason naming the key, unless
/// it only restates the vif's own value (netfront restates its MAC when it reconnects) or a rule
/// grants the key to its uid.
/// </summary>
public sealed class FrontendVifSpecTests
{
    /// <summary>vif6.0: declared for uid 2000 with no settings at all, so every key is left to the defaults.</summary>
    private static AdmissionBench Bench(params string[] extra) => new([
        "Vifs:0:DomId=5", "Vifs:0:Uid=1000",
        "Vifs:0:Spec=mac=00:16:3e:00:05:00,bridge=xenbr0,ip=10.0.5.2,rate=10Mb/s,mtu=1400,vifname=web0",
        "Vifs:1:DomId=6", "Vifs:1:Uid=2000",
        .. extra]);

    [Theory]
    [InlineData("mac=00:16:3e:00:00:99", "mac=")]
    [InlineData("mac=fe:ff:ff:ff:ff:fe", "mac=")]            // next to the bridge's own
    [InlineData("ip=0.0.0.0/0 ::/0", "ip=")]                 // voids anti-spoofing
    [InlineData("ip=10.0.5.2", "ip=")]                       // another guest's address
    [InlineData("bridge=xenbr0", "bridge=")]
    [InlineData("rate=10Gb/s", "rate=")]
    [InlineData("mtu=68", "mtu=")]
    [InlineData("vifname=eth0", "vifname=")]
    [InlineData("vifname=web0", "vifname=")]                 // another vif's name
    [InlineData("tx-copy=bounce", "tx-copy=")]
    [InlineData("offloads=off,bridge=xenbr0", "bridge=")]
    public void A_host_side_key_the_declaration_leaves_open_is_refused_naming_it(string vifSpec, string key)
    {
        string reason = Bench().Refused(Uid(2000), vifSpec, domId: 6);
        Assert.Contains(key, reason, StringComparison.Ordinal);
        Assert.Contains("uid 2000", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mac=00:16:3e:00:00:99", "mac=")]
    [InlineData("ip=0.0.0.0/0 ::/0", "ip=")]
    [InlineData("bridge=evilbr", "bridge=")]
    [InlineData("mtu=68", "mtu=")]
    [InlineData("vifname=vif5.0", "vifname=")]
    [InlineData("rate=1Gb/s", "rate=")]
    public void A_host_side_key_that_differs_from_the_declaration_is_refused_naming_it(string vifSpec, string key)
    {
        string reason = Bench().Refused(Uid(1000), vifSpec, domId: 5);
        Assert.Contains(key, reason, StringComparison.Ordinal);
        Assert.Contains("web0", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_frontend_may_restate_the_vifs_own_values()
    {
        var bench = Bench();
        var plan = bench.Admit(Uid(1000), "mac=00:16:3e:00:05:00,vifname=web0,bridge=xenbr0,ip=10.0.5.2,mtu=1400", domId: 5);
        Assert.Equal("web0", plan.Identity.Name);
        // The MAC netfront was given for an open declaration is derived from the ids, so it restates it on reconnect.
        var open = bench.Admit(Uid(2000), "mac=00:16:3e:80:06:00,vifname=vif6.0", domId: 6);
        Assert.Equal("00:16:3e:80:06:00", XenMac.Format(open.Mac));
    }

    [Fact]
    public void Only_the_granted_keys_may_be_set_on_a_declared_vif_and_only_where_the_declaration_is_silent()
    {
        var bench = Bench("Access:Rules:0:Uid=2000", "Access:Rules:0:Keys:0=mac", "Access:Rules:0:Keys:1=mtu",
            "Access:Rules:0:Macs:0=02:00:00:*", "Access:Rules:0:Mtu=1280-9000",
            "Access:Rules:1:Uid=1000", "Access:Rules:1:Keys:0=bridge");
        var plan = bench.Admit(Uid(2000), "mac=02:00:00:00:00:06,mtu=9000", domId: 6);
        Assert.Equal("02:00:00:00:00:06", XenMac.Format(plan.Mac));
        Assert.Equal(9000, plan.Mtu);
        bench.Release(plan);
        Assert.Contains("bridge=", bench.Refused(Uid(2000), "bridge=xenbr0", domId: 6), StringComparison.Ordinal);
        Assert.Contains("mac 00:16:3e:00:00:01 not allowed", bench.Refused(Uid(2000), "mac=00:16:3e:00:00:01", domId: 6), StringComparison.Ordinal);
        Assert.Contains("mtu 68", bench.Refused(Uid(2000), "mtu=68", domId: 6), StringComparison.Ordinal);
        // A grant never overrides what the operator declared for the vif.
        Assert.Contains("bridge=", bench.Refused(Uid(1000), "bridge=other0", domId: 5), StringComparison.Ordinal);
    }

    [Fact]
    public void The_keys_a_frontend_may_always_send_are_accepted()
    {
        var plan = Bench().Admit(Uid(2000), "offloads=off,type=vif,model=virtio", domId: 6);
        Assert.Equal("vif6.0", plan.Identity.Name);
    }
}
