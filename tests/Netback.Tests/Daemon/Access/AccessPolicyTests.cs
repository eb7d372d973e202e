using Netback.Daemon.Access;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;

namespace Netback.Tests.Daemon.Access;

/// <summary>The pure decisions of Netback:Access: who may connect, how many vifs, which MACs and names.</summary>
public sealed class AccessPolicyTests
{
    private const uint DaemonUid = 0;
    private const uint SocketGid = 990;

    private static PeerIdentity Peer(uint uid, uint gid = 5000, params uint[] groups) => new(4242, uid, gid, groups);

    private static AccessPolicy Policy(Action<AccessOptions>? configure = null, uint? socketGid = SocketGid, uint daemonUid = DaemonUid)
    {
        var o = new AccessOptions();
        configure?.Invoke(o);
        return new AccessPolicy(o, socketGid, daemonUid);
    }

    [Fact]
    public void By_default_root_and_the_socket_group_may_connect_and_nobody_else()
    {
        var p = Policy();
        Assert.True(p.CheckPeer(Peer(0, 0)).IsAllowed);
        Assert.True(p.CheckPeer(Peer(1000, SocketGid)).IsAllowed);
        Assert.True(p.CheckPeer(Peer(1000, 1000, 27, SocketGid)).IsAllowed);
        var refused = p.CheckPeer(Peer(1001, 1001, 27));
        Assert.False(refused.IsAllowed);
        Assert.Equal(RefusalReason.Uid, refused.Reason);
        Assert.Equal("uid 1001 (gid 1001) is not allowed by Netback:Access", refused.Message);
    }

    [Fact]
    public void Without_a_socket_group_only_root_and_the_daemons_uid_may_connect()
    {
        var p = Policy(socketGid: null, daemonUid: 1500);
        Assert.True(p.CheckPeer(Peer(0)).IsAllowed);
        Assert.True(p.CheckPeer(Peer(1500)).IsAllowed);
        Assert.False(p.CheckPeer(Peer(1000, SocketGid)).IsAllowed);
    }

    [Fact]
    public void Configured_uids_and_gids_replace_the_socket_group()
    {
        var p = Policy(o =>
        {
            o.AllowedUids.Add(1000);
            o.AllowedGids.Add(2000);
        });
        Assert.True(p.CheckPeer(Peer(1000)).IsAllowed);
        Assert.True(p.CheckPeer(Peer(1001, 2000)).IsAllowed, "primary gid");
        Assert.True(p.CheckPeer(Peer(1002, 5000, 10, 2000)).IsAllowed, "supplementary group");
        Assert.False(p.CheckPeer(Peer(1003, SocketGid)).IsAllowed, "the socket group is no longer implied");
        Assert.True(p.CheckPeer(Peer(0, 0)).IsAllowed, "root always");
    }

    [Fact]
    public void Each_uid_may_hold_MaxVifsPerUid_vifs_and_root_is_not_limited()
    {
        var p = Policy(o => o.MaxVifsPerUid = 2);
        Assert.True(p.CheckVif(Peer(1000), 1, "vif1.0", "00:16:3e:00:00:01").IsAllowed);
        var refused = p.CheckVif(Peer(1000), 2, "vif2.0", "00:16:3e:00:00:02");
        Assert.Equal(RefusalReason.VifLimit, refused.Reason);
        Assert.Equal("uid 1000 has 2 vifs, the limit is 2", refused.Message);
        Assert.True(p.CheckVif(Peer(0), 1000, "vif9.0", "00:16:3e:00:00:09").IsAllowed);
        Assert.Equal(int.MaxValue, p.VifLimit(DaemonUid));
        Assert.Equal(16, Policy().VifLimit(1000));
    }

    [Fact]
    public void A_rule_sets_its_uids_limit_names_and_MACs()
    {
        var p = Policy(o => o.Rules.Add(Rule(1000, 1, ["00:16:3e:*"], ["vif1.*", "web*"])));
        Assert.True(p.CheckVif(Peer(1000), 0, "web0", "00:16:3E:0A:0B:0C").IsAllowed);
        Assert.True(p.CheckVif(Peer(1000), 0, "vif1.3", "00:16:3e:0a:0b:0c").IsAllowed);
        Assert.Equal("uid 1000 has 1 vifs, the limit is 1", p.CheckVif(Peer(1000), 1, "web0", "00:16:3e:0a:0b:0c").Message);

        var name = p.CheckVif(Peer(1000), 0, "vif2.0", "00:16:3e:0a:0b:0c");
        Assert.Equal(RefusalReason.VifName, name.Reason);
        Assert.StartsWith("vif name vif2.0 not allowed for uid 1000", name.Message, StringComparison.Ordinal);

        var mac = p.CheckVif(Peer(1000), 0, "web1", "02:00:00:00:00:01");
        Assert.Equal(RefusalReason.Mac, mac.Reason);
        Assert.StartsWith("mac 02:00:00:00:00:01 not allowed for uid 1000", mac.Message, StringComparison.Ordinal);

        // Other uids are not bound by uid 1000's rule.
        Assert.True(p.CheckVif(Peer(1001), 0, "vif2.0", "02:00:00:00:00:01").IsAllowed);
    }

    [Fact]
    public void A_rule_with_bridges_limits_bridge_but_not_a_vif_without_one()
    {
        var p = Policy(o =>
        {
            var r = Rule(1000, null, [], []);
            r.Bridges.Add("xenbr*");
            o.Rules.Add(r);
        });
        Assert.True(p.CheckVif(Peer(1000), 0, "vif1.0", "00:16:3e:00:00:01", "xenbr0").IsAllowed);
        Assert.True(p.CheckVif(Peer(1000), 0, "vif1.0", "00:16:3e:00:00:01", null).IsAllowed);
        var refused = p.CheckVif(Peer(1000), 0, "vif1.0", "00:16:3e:00:00:01", "mgmt0");
        Assert.Equal(RefusalReason.Bridge, refused.Reason);
        Assert.Equal("bridge mgmt0 not allowed for uid 1000 (allowed: xenbr*)", refused.Message);
    }

    [Fact]
    public void A_rule_applies_to_root_too()
    {
        var p = Policy(o => o.Rules.Add(Rule(0, 0, [], [])));
        Assert.Equal(RefusalReason.VifLimit, p.CheckVif(Peer(0, 0), 0, "vif1.0", "00:16:3e:00:00:01").Reason);
        Assert.True(p.CheckPeer(Peer(0, 0)).IsAllowed, "root still connects");
    }

    [Fact]
    public void Empty_MAC_and_name_lists_allow_any()
    {
        var p = Policy(o => o.Rules.Add(Rule(1000, null, [], [])));
        Assert.True(p.CheckVif(Peer(1000), 15, "anything", "02:00:00:00:00:01").IsAllowed);
        Assert.False(p.CheckVif(Peer(1000), 16, "anything", "02:00:00:00:00:01").IsAllowed, "MaxVifsPerUid still applies");
    }

    internal static AccessRule Rule(uint uid, int? maxVifs, string[] macs, string[] names)
    {
        var r = new AccessRule { Uid = uid, MaxVifs = maxVifs };
        r.Macs.AddRange(macs);
        r.VifNames.AddRange(names);
        return r;
    }
}
