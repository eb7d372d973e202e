using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Access;

/// <summary>
/// The decisions of <c>Netback:Access</c>, pure (no sockets, no state): may this peer connect, and
/// may it create this vif while it holds that many. Built once at start from validated options.
/// </summary>
/// <remarks>
/// Root and the daemon's own uid always pass the uid/gid check and are exempt from
/// <see cref="AccessOptions.MaxVifsPerUid"/>: a peer with either can open TAPs or ptrace the daemon,
/// so refusing it would protect nothing. A rule naming such a uid still applies (a guard against a
/// runaway root-run frontend). With no uids and no gids configured, the socket group is allowed:
/// the socket's mode and group then decide alone, as they did before this policy existed.
/// </remarks>
internal sealed class AccessPolicy
{
    private readonly HashSet<uint> _uids;
    private readonly HashSet<uint> _gids;
    private readonly Dictionary<uint, AccessRule> _rules = [];
    private readonly int _maxVifsPerUid;
    private readonly uint _daemonUid;

    public AccessPolicy(AccessOptions options, uint? socketGid, uint daemonUid)
    {
        _uids = [.. options.AllowedUids];
        _gids = [.. options.AllowedGids];
        if (_uids.Count == 0 && _gids.Count == 0 && socketGid is { } g)
        {
            _gids.Add(g);
        }
        _uids.Add(0);
        _uids.Add(daemonUid);
        foreach (var rule in options.Rules)
        {
            _rules[rule.Uid!.Value] = rule;
        }
        _maxVifsPerUid = options.MaxVifsPerUid;
        _daemonUid = daemonUid;
    }

    /// <summary>At accept: is the peer's uid, primary gid or a supplementary group allowed?</summary>
    public AccessDecision CheckPeer(PeerIdentity peer)
    {
        if (_uids.Contains(peer.Uid))
        {
            return AccessDecision.Allow;
        }
        foreach (uint gid in _gids)
        {
            if (peer.InGroup(gid))
            {
                return AccessDecision.Allow;
            }
        }
        return AccessDecision.Refuse(RefusalReason.Uid,
            $"uid {peer.Uid} (gid {peer.Gid}) is not allowed by Netback:Access");
    }

    /// <summary>Most vifs <paramref name="uid"/> may hold at once (<see cref="int.MaxValue"/>: no limit).</summary>
    public int VifLimit(uint uid)
    {
        if (_rules.TryGetValue(uid, out var rule) && rule.MaxVifs is { } max)
        {
            return max;
        }
        return uid == 0 || uid == _daemonUid ? int.MaxValue : _maxVifsPerUid;
    }

    /// <summary>At Connect, before anything is created: may the peer, holding <paramref name="held"/> vifs, create this one?</summary>
    public AccessDecision CheckVif(PeerIdentity peer, int held, string vifName, string mac, string? bridge = null)
    {
        int limit = VifLimit(peer.Uid);
        if (held >= limit)
        {
            return AccessDecision.Refuse(RefusalReason.VifLimit, $"uid {peer.Uid} has {held} vifs, the limit is {limit}");
        }
        if (!_rules.TryGetValue(peer.Uid, out var rule))
        {
            return AccessDecision.Allow;
        }
        if (rule.VifNames.Count != 0 && !AnyMatch(rule.VifNames, vifName, ignoreCase: false))
        {
            return AccessDecision.Refuse(RefusalReason.VifName,
                $"vif name {vifName} not allowed for uid {peer.Uid} (allowed: {string.Join(' ', rule.VifNames)})");
        }
        if (rule.Macs.Count != 0 && !AnyMatch(rule.Macs, mac, ignoreCase: true))
        {
            return AccessDecision.Refuse(RefusalReason.Mac,
                $"mac {mac} not allowed for uid {peer.Uid} (allowed: {string.Join(' ', rule.Macs)})");
        }
        if (bridge is not null && rule.Bridges.Count != 0 && !AnyMatch(rule.Bridges, bridge, ignoreCase: false))
        {
            return AccessDecision.Refuse(RefusalReason.Bridge,
                $"bridge {bridge} not allowed for uid {peer.Uid} (allowed: {string.Join(' ', rule.Bridges)})");
        }
        return AccessDecision.Allow;
    }

    /// <summary>One line for the startup log.</summary>
    public string Describe() =>
        $"uids {string.Join(',', _uids.Order())}; gids {(_gids.Count == 0 ? "none" : string.Join(',', _gids.Order()))}; "
        + $"{_maxVifsPerUid} vifs per uid; {_rules.Count} rule(s)";

    private static bool AnyMatch(List<string> patterns, string text, bool ignoreCase)
    {
        foreach (string p in patterns)
        {
            if (Glob.IsMatch(p, text, ignoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
