using System.Text;
using Microsoft.Extensions.Configuration;
using Netback.Daemon.Access;
using Netback.Daemon.Configuration;

namespace Netback.Tests.Daemon.Access;

/// <summary>Netback:Access and Netback:SocketGroup as an operator writes them: bound from JSON, checked at start.</summary>
public sealed class AccessOptionsTests
{
    private static NetbackOptions Bind(string json)
    {
        var config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var o = new NetbackOptions();
        config.GetSection(NetbackOptions.Section).Bind(o);
        return o;
    }

    private static string[] Failures(NetbackOptions o)
    {
        var result = new NetbackOptionsValidator().Validate(null, o);
        return result.Failed ? result.Failures!.ToArray() : [];
    }

    [Fact]
    public void The_documented_example_binds_and_passes()
    {
        var o = Bind("""
            { "Netback": { "SocketGroup": "0", "Access": {
                "AllowedUids": [1000, 1001], "AllowedGids": [27], "MaxVifsPerUid": 4,
                "Rules": [ { "Uid": 1000, "MaxVifs": 2, "Macs": ["00:16:3e:*"], "VifNames": ["vif1.*", "web*"], "Bridges": ["xenbr0"] } ] } } }
            """);
        Assert.Empty(Failures(o));
        Assert.Equal([1000u, 1001u], o.Access.AllowedUids);
        Assert.Equal([27u], o.Access.AllowedGids);
        Assert.Equal(4, o.Access.MaxVifsPerUid);
        var rule = Assert.Single(o.Access.Rules);
        Assert.Equal(1000u, rule.Uid);
        Assert.Equal(2, rule.MaxVifs);
        Assert.Equal(["00:16:3e:*"], rule.Macs);
        Assert.Equal(["vif1.*", "web*"], rule.VifNames);
        Assert.Equal(["xenbr0"], rule.Bridges);
    }

    [Fact]
    public void Nothing_configured_means_the_documented_defaults()
    {
        var o = Bind("""{ "Netback": { } }""");
        Assert.Empty(Failures(o));
        Assert.Null(o.SocketGroup);
        Assert.Equal("0660", o.SocketMode);
        Assert.Empty(o.Access.AllowedUids);
        Assert.Empty(o.Access.AllowedGids);
        Assert.Equal(16, o.Access.MaxVifsPerUid);
        Assert.Empty(o.Access.Rules);
    }

    [Theory]
    [InlineData("""{ "MaxVifsPerUid": -1 }""", "Netback:Access:MaxVifsPerUid must be 0..4096 (got -1)")]
    [InlineData("""{ "Rules": [ { "MaxVifs": 1 } ] }""", "Netback:Access:Rules:0:Uid is required")]
    [InlineData("""{ "Rules": [ { "Uid": 5 }, { "Uid": 5 } ] }""", "Netback:Access:Rules:1: uid 5 has a rule already")]
    [InlineData("""{ "Rules": [ { "Uid": 5, "MaxVifs": 5000 } ] }""", "Netback:Access:Rules:0:MaxVifs must be 0..4096")]
    [InlineData("""{ "Rules": [ { "Uid": 5, "Macs": ["00:16:3e:zz"] } ] }""", "Netback:Access:Rules:0:Macs: '00:16:3e:zz' is not a MAC glob")]
    [InlineData("""{ "Rules": [ { "Uid": 5, "VifNames": ["a/b"] } ] }""", "Netback:Access:Rules:0:VifNames: 'a/b' is not an interface-name glob")]
    [InlineData("""{ "Rules": [ { "Uid": 5, "VifNames": ["sixteen-chars-xx"] } ] }""", "is not an interface-name glob")]
    [InlineData("""{ "Rules": [ { "Uid": 5, "Bridges": ["br 0"] } ] }""", "Netback:Access:Rules:0:Bridges: 'br 0' is not an interface-name glob")]
    public void A_bad_policy_fails_with_one_line_naming_the_key(string access, string expected)
    {
        var failure = Assert.Single(Failures(Bind($$"""{ "Netback": { "Access": {{access}} } }""")));
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_socket_group_that_does_not_exist_fails()
    {
        var failure = Assert.Single(Failures(new NetbackOptions { SocketGroup = "netback-no-such-group-7f3a" }));
        Assert.Contains("Netback:SocketGroup 'netback-no-such-group-7f3a' does not exist", failure, StringComparison.Ordinal);
        Assert.Empty(Failures(new NetbackOptions { SocketGroup = "root" }));
        Assert.Empty(Failures(new NetbackOptions { SocketGroup = "1234" }));
    }

    [Fact]
    public void Group_names_resolve_through_NSS()
    {
        Assert.True(SocketGroup.TryResolve("root", out uint gid));
        Assert.Equal(0u, gid);
        Assert.False(SocketGroup.TryResolve("netback-no-such-group-7f3a", out _));
        Assert.False(SocketGroup.TryResolve("4294967295", out _), "(gid_t)-1 means 'unchanged' to chown");
    }
}
