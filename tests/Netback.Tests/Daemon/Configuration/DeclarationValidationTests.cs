using Microsoft.Extensions.Configuration;
using Netback.Daemon.Configuration;

namespace Netback.Tests.Daemon.Configuration;

/// <summary>
/// <c>Netback:Vifs</c>, <c>Netback:StateDirectory</c> and the self-service keys of an access rule,
/// written as an operator writes them: every mistake is one line naming the key, and stops the
/// daemon at start (exit 78) instead of leaving a vif open to the wrong frontend.
/// </summary>
public sealed class DeclarationValidationTests
{
    private static string[] Failures(params string[] settings)
    {
        var pairs = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (string s in settings)
        {
            int eq = s.IndexOf('=', StringComparison.Ordinal);
            pairs[$"{NetbackOptions.Section}:{s[..eq]}"] = s[(eq + 1)..];
        }
        var o = new NetbackOptions();
        new ConfigurationBuilder().AddInMemoryCollection(pairs).Build().GetSection(NetbackOptions.Section).Bind(o);
        var result = new NetbackOptionsValidator().Validate(null, o);
        return result.Failed ? [.. result.Failures!] : [];
    }

    private static void FailsWith(string part, params string[] settings)
    {
        var failure = Assert.Single(Failures(settings));
        Assert.Contains(part, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Good_declarations_and_a_self_service_rule_pass()
    {
        Assert.Empty(Failures(
            "Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Vifs:0:Spec=mac=00:16:3e:00:05:00,bridge=xenbr0,ip=10.0.5.2 fd00::5,rate=10Mb/s,mtu=1500,vifname=web0",
            "Vifs:1:DomId=5", "Vifs:1:DevId=1", "Vifs:1:Gid=27",
            "Vifs:2:DomId=6", "Vifs:2:Uid=1001", "Vifs:2:Gid=27", "Vifs:2:Spec=offloads=off,tx-copy=bounce",
            "Access:RootSelfService=false", "StateDirectory=",
            "Access:Rules:0:Uid=1000", "Access:Rules:0:SelfService=true", "Access:Rules:0:DomIds=100-199,300",
            "Access:Rules:0:Keys:0=mac", "Access:Rules:0:Keys:1=tx-copy", "Access:Rules:0:Ips:0=10.9.0.0/24",
            "Access:Rules:0:Ips:1=fd09::/64", "Access:Rules:0:Mtu=1280-9000"));
    }

    [Theory]
    [InlineData("Netback:Vifs:0: DomId must be 1..32751 (got none)", "Vifs:0:Uid=1000")]
    [InlineData("Netback:Vifs:0: DomId must be 1..32751 (got 0)", "Vifs:0:DomId=0", "Vifs:0:Uid=1000")]
    [InlineData("Netback:Vifs:0: DomId must be 1..32751 (got 32752)", "Vifs:0:DomId=32752", "Vifs:0:Uid=1000")]
    [InlineData("Netback:Vifs:0: DevId must be 0..255 (got 256)", "Vifs:0:DomId=5", "Vifs:0:DevId=256", "Vifs:0:Uid=1000")]
    [InlineData("Netback:Vifs:0: DevId must be 0..255 (got -1)", "Vifs:0:DomId=5", "Vifs:0:DevId=-1", "Vifs:0:Uid=1000")]
    [InlineData("Netback:Vifs:0: needs an owner: Uid, Gid or both", "Vifs:0:DomId=5")]
    [InlineData("Netback:Vifs:0: Spec: script '/etc/xen/scripts/vif-bridge' is not a script name", "Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Vifs:0:Spec=script=/etc/xen/scripts/vif-bridge")]
    [InlineData("Netback:DefaultVifSpec: script '../vif-route' is not a script name", "DefaultVifSpec=script=../vif-route")]
    [InlineData("Netback:ScriptDirectory must be an absolute path", "ScriptDirectory=scripts/hotplug")]
    [InlineData("Netback:ScriptTimeoutSeconds must be 1..120 (got 0)", "ScriptTimeoutSeconds=0")]
    [InlineData("Netback:Vifs:0: Spec: mac '01:00:5e:00:00:01' is not a unicast MAC", "Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Vifs:0:Spec=mac=01:00:5e:00:00:01")]
    [InlineData("Netback:Vifs:0: Spec: ip= lists no address", "Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Vifs:0:Spec=ip=")]
    [InlineData("Netback:Vifs:0: Spec: unknown vifspec key 'colour'", "Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Vifs:0:Spec=colour=red")]
    [InlineData("Netback:Vifs:0: Spec: vifname vif9.0 has the form of another vif's generated name", "Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Vifs:0:Spec=vifname=vif9.0")]
    [InlineData("Netback:Vifs:1: domid 5 devid 0 is declared already (vif5.0, uid 1000)",
        "Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Vifs:1:DomId=5", "Vifs:1:Uid=1001")]
    [InlineData("Netback:Vifs:1: the name web0 is declared already (domid 5 devid 0)",
        "Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Vifs:0:Spec=vifname=web0", "Vifs:1:DomId=6", "Vifs:1:Uid=1000", "Vifs:1:Spec=vifname=web0")]
    [InlineData("Netback:Vifs:1: mac 00:16:3e:00:00:01 is declared already for vif5.0",
        "Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Vifs:0:Spec=mac=00:16:3e:00:00:01", "Vifs:1:DomId=6", "Vifs:1:Uid=1000", "Vifs:1:Spec=mac=00:16:3e:00:00:01")]
    [InlineData("Netback:Vifs:1: mac 00:16:3e:80:05:00 is declared already for vif5.0", // vif5.0's derived MAC, taken by hand
        "Vifs:0:DomId=5", "Vifs:0:Uid=1000", "Vifs:1:DomId=6", "Vifs:1:Uid=1000", "Vifs:1:Spec=mac=00:16:3e:80:05:00")]
    [InlineData("Netback:StateDirectory must be an absolute path", "StateDirectory=var/lib/netback")]
    public void A_bad_declaration_is_one_line_naming_it(string part, params string[] settings) => FailsWith(part, settings);

    [Theory]
    [InlineData("Netback:Access:Rules:0: SelfService needs DomIds", "Access:Rules:0:SelfService=true")]
    [InlineData("Netback:Access:Rules:0: DomIds is only read with SelfService: true", "Access:Rules:0:DomIds=100-199")]
    [InlineData("Netback:Access:Rules:0:DomIds '199-100' item '199-100' is not N or LOW-HIGH within 1..32751", "Access:Rules:0:SelfService=true", "Access:Rules:0:DomIds=199-100")]
    [InlineData("Netback:Access:Rules:0:DomIds '0-5' item '0-5'", "Access:Rules:0:SelfService=true", "Access:Rules:0:DomIds=0-5")]
    [InlineData("Netback:Access:Rules:0:DomIds 'web' item 'web'", "Access:Rules:0:SelfService=true", "Access:Rules:0:DomIds=web")]
    [InlineData("Netback:Access:Rules:0:Keys: 'offloads' is not a host-side vifspec key", "Access:Rules:0:Keys:0=offloads")]
    [InlineData("Netback:Access:Rules:0:Keys: 'MAC' is not a host-side vifspec key", "Access:Rules:0:Keys:0=MAC")]
    [InlineData("Netback:Access:Rules:0:Ips: '10.9.0.1' is not an IPv4 or IPv6 prefix", "Access:Rules:0:Ips:0=10.9.0.1")]
    [InlineData("Netback:Access:Rules:0:Ips: '10.9.0.1/24' is not an IPv4 or IPv6 prefix with zero host bits", "Access:Rules:0:Ips:0=10.9.0.1/24")]
    [InlineData("Netback:Access:Rules:0:Mtu '9000-1280' item '9000-1280' is not N or LOW-HIGH within 68..65517", "Access:Rules:0:Mtu=9000-1280")]
    [InlineData("Netback:Access:Rules:0:Mtu '50-100' item '50-100'", "Access:Rules:0:Mtu=50-100")]
    public void A_bad_self_service_rule_is_one_line_naming_it(string part, params string[] settings) =>
        FailsWith(part, ["Access:Rules:0:Uid=1000", .. settings]);
}
