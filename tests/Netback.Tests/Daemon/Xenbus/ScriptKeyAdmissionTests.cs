using Netback.Daemon.Configuration;
using Ring.Shared.Control;
using static Netback.Tests.Daemon.Xenbus.AdmissionBench;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// <c>script=</c> is the operator's: the script runs as the daemon, so a frontend may name one only
/// where a declaration, <c>DefaultVifSpec</c> or a rule's <c>Keys</c> grant lets it, and whoever
/// names it, the name stays a file of <c>Netback:ScriptDirectory</c>.
/// </summary>
public sealed class ScriptKeyAdmissionTests
{
    /// <summary>vif5.0 declared with vif-route for uid 1000; vif6.0 declared for uid 2000 with nothing set.</summary>
    private static AdmissionBench Bench(params string[] extra) => new([
        "ScriptDirectory=/etc/netback/scripts",
        "Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Vifs:0:Spec=script=vif-route,ip=10.0.5.2",
        "Vifs:1:DomId=6", "Vifs:1:Uid=2000",
        .. extra]);

    [Fact]
    public void An_unprivileged_frontend_may_not_name_a_script()
    {
        string reason = Bench().Refused(Uid(2000), "script=vif-route", domId: 6);
        Assert.Contains("script=", reason, StringComparison.Ordinal);
        Assert.Contains("uid 2000", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_frontend_may_not_change_its_declared_script_but_may_restate_it()
    {
        var bench = Bench();
        Assert.Contains("script=", bench.Refused(Uid(1000), "script=vif-bridge", domId: 5), StringComparison.Ordinal);
        Assert.Equal("vif-route", bench.Admit(Uid(1000), "script=vif-route", domId: 5).Script.Name);
    }

    [Fact]
    public void The_declarations_script_runs_else_DefaultVifSpecs_else_vif_bridge()
    {
        var plan = Bench().Admit(Uid(1000), domId: 5);
        Assert.Equal(("vif-route", "/etc/netback/scripts/vif-route"), (plan.Script.Name, plan.Script.Path));
        Assert.Equal(TimeSpan.FromSeconds(5), plan.Script.Timeout);
        Assert.Equal("vif-bridge", Bench().Admit(Uid(2000), domId: 6).Script.Name);
        Assert.Equal("vif-openvswitch", Bench("DefaultVifSpec=script=vif-openvswitch").Admit(Uid(2000), domId: 6).Script.Name);
        Assert.Equal("vif-route", Bench("DefaultVifSpec=script=vif-openvswitch").Admit(Uid(1000), domId: 5).Script.Name);
    }

    [Fact]
    public void A_rules_Keys_grant_lets_a_uid_choose_a_script_where_its_declaration_is_silent()
    {
        var bench = Bench("Access:Rules:0:Uid=2000", "Access:Rules:0:Keys:0=script", "Access:Rules:1:Uid=1000", "Access:Rules:1:Keys:0=script");
        Assert.Equal("vif-openvswitch", bench.Admit(Uid(2000), "script=vif-openvswitch", domId: 6).Script.Name);
        // The grant never overrides what the operator declared.
        Assert.Contains("script=", bench.Refused(Uid(1000), "script=vif-bridge", domId: 5), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("script=../../bin/sh")]
    [InlineData("script=/bin/sh")]
    [InlineData("script=..")]
    [InlineData("script=vif-bridge/../../../../bin/sh")]
    [InlineData("script=.hidden")]
    public void A_path_is_never_a_script_not_even_for_root_or_a_granted_uid(string vifSpec)
    {
        var bench = Bench("Access:Rules:0:Uid=2000", "Access:Rules:0:Keys:0=script");
        // Refused where the Connect is parsed, before anyone's rights are looked at.
        var e = Assert.Throws<ControlProtocolException>(() => bench.Request(vifSpec, domId: 6));
        Assert.Contains("is not a script name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Root_self_service_may_name_a_script_of_the_directory()
    {
        var plan = Bench().Admit(Root, "script=vif-route,ip=10.1.1.1", domId: 42);
        Assert.Equal("/etc/netback/scripts/vif-route", plan.Script.Path);
    }
}
