using System.Globalization;
using System.Net;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Access;

/// <summary>
/// The decisions of <c>Netback:Access</c>, pure (no sockets, no state): may this peer connect; does
/// it own this declared vif, or may it declare one itself; which host-side vifspec keys may its
/// frontends set; may it create this vif while it holds that many. Built once at start from
/// validated options.
/// </summary>
/// <remarks>
/// Root and the daemon's own uid always pass the uid/gid check and are exempt from
/// <see cref="AccessOptions.MaxVifsPerUid"/>: a peer with either can open TAPs or ptrace the daemon,
/// so refusing it would protect nothing. A rule naming such a uid still applies (a guard against a
/// runaway root-run frontend). With no uids and no gids configured, the socket group is allowed:
/// the socket's mode and group then decide alone, as they did before this policy existed. With
/// <see cref="AccessOptions.RootSelfService"/> (the default) the same two uids also keep the
/// convenience of connecting without a declaration and setting any key.
/// </remarks>
internal sealed class AccessPolicy
{
    private readonly HashSet<uint> _uids;
    private readonly HashSet<uint> _gids;
    private readonly Dictionary<uint, UidRule> _rules = [];
    private readonly int _maxVifsPerUid;
    private readonly uint _daemonUid;
    private readonly bool _rootSelfService;

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
            _rules[rule.Uid!.Value] = UidRule.From(rule);
        }
        _maxVifsPerUid = options.MaxVifsPerUid;
        _daemonUid = daemonUid;
        _rootSelfService = options.RootSelfService;
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
    public AccessDecision CheckVif(PeerIdentity peer, int held, string vifName, string mac, string? bridge = null) =>
        CheckVif(peer, held, new VifChoices(vifName, mac, bridge));

    /// <summary>
    /// At Connect, before anything is created: may the peer, holding <paramref name="held"/> vifs,
    /// create one more with these values (each judged against its rule; null values are not)?
    /// </summary>
    public AccessDecision CheckVif(PeerIdentity peer, int held, VifChoices choices)
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
        if (choices.Name is { } vifName && rule.VifNames.Count != 0 && !AnyMatch(rule.VifNames, vifName, ignoreCase: false))
        {
            return AccessDecision.Refuse(RefusalReason.VifName,
                $"vif name {vifName} not allowed for uid {peer.Uid} (allowed: {string.Join(' ', rule.VifNames)})");
        }
        if (choices.Mac is { } mac && rule.Macs.Count != 0 && !AnyMatch(rule.Macs, mac, ignoreCase: true))
        {
            return AccessDecision.Refuse(RefusalReason.Mac,
                $"mac {mac} not allowed for uid {peer.Uid} (allowed: {string.Join(' ', rule.Macs)})");
        }
        if (choices.Bridge is { } bridge && rule.Bridges.Count != 0 && !AnyMatch(rule.Bridges, bridge, ignoreCase: false))
        {
            return AccessDecision.Refuse(RefusalReason.Bridge,
                $"bridge {bridge} not allowed for uid {peer.Uid} (allowed: {string.Join(' ', rule.Bridges)})");
        }
        if (choices.Ips is { } ips && rule.Ips.Count != 0)
        {
            foreach (var ip in ips)
            {
                if (!rule.AllowsIp(ip))
                {
                    return AccessDecision.Refuse(RefusalReason.Ip,
                        $"ip {ip} not allowed for uid {peer.Uid} (allowed: {string.Join(' ', rule.Ips)})");
                }
            }
        }
        if (choices.Mtu is { } mtu && rule.Mtu is { } mtus && !mtus.Contains(mtu))
        {
            return AccessDecision.Refuse(RefusalReason.Mtu,
                string.Create(CultureInfo.InvariantCulture, $"mtu {mtu} not allowed for uid {peer.Uid} (allowed: {mtus})"));
        }
        return AccessDecision.Allow;
    }

    /// <summary>
    /// Root and the daemon's own uid with <see cref="AccessOptions.RootSelfService"/>: they may connect
    /// undeclared and set any key (a rule naming them still judges the values).
    /// </summary>
    public bool IsSelfServingOperator(PeerIdentity peer) => _rootSelfService && (peer.Uid == 0 || peer.Uid == _daemonUid);

    /// <summary>Does the peer own the declared vif: its uid, or its primary or a supplementary gid?</summary>
    public static bool Owns(PeerIdentity peer, VifDeclaration declaration) =>
        (declaration.Uid is { } uid && peer.Uid == uid) || (declaration.Gid is { } gid && peer.InGroup(gid));

    /// <summary>May the peer connect to this declared vif? Named by its ids; the owner is not told.</summary>
    public static AccessDecision CheckOwner(PeerIdentity peer, VifDeclaration declaration) => Owns(peer, declaration)
        ? AccessDecision.Allow
        : AccessDecision.Refuse(RefusalReason.NotOwner,
            $"{VifNames.Generated(declaration.DomId, declaration.DevId)} is not declared for uid {peer.Uid}");

    /// <summary>The domids the peer may declare on the fly, or null: none.</summary>
    public NumberRanges? SelfServiceDomIds(PeerIdentity peer) =>
        IsSelfServingOperator(peer) ? NumberRanges.Between(1, VifDeclaration.MaxDomId)
        : _rules.TryGetValue(peer.Uid, out var rule) && rule.SelfService ? rule.DomIds : null;

    /// <summary>The prefixes a self-service vif of the peer's is held to when its frontend names no <c>ip=</c>.</summary>
    public IReadOnlyList<IPNetwork> SelfServiceIps(PeerIdentity peer) =>
        !IsSelfServingOperator(peer) && _rules.TryGetValue(peer.Uid, out var rule) ? rule.Ips : [];

    /// <summary>May the peer declare vif (domid, devid), which nobody declared, on the fly?</summary>
    public AccessDecision CheckSelfService(PeerIdentity peer, int domId, int devId)
    {
        if (IsSelfServingOperator(peer))
        {
            return AccessDecision.Allow;
        }
        if (SelfServiceDomIds(peer) is { } domIds)
        {
            return domIds.Contains(domId) ? AccessDecision.Allow : AccessDecision.Refuse(RefusalReason.DomId,
                string.Create(CultureInfo.InvariantCulture, $"domid {domId} is outside uid {peer.Uid}'s self-service DomIds {domIds}"));
        }
        return AccessDecision.Refuse(RefusalReason.NotDeclared,
            $"{VifNames.Generated(domId, devId)} is not declared (the operator declares vifs: Netback:Vifs or netbackctl vif-add), and uid {peer.Uid} may not declare vifs itself");
    }

    /// <summary>May the peer's frontend set host-side vifspec key <paramref name="key"/> of <paramref name="vif"/> (where its declaration leaves it open)?</summary>
    public AccessDecision CheckKey(PeerIdentity peer, string key, string vif) =>
        IsSelfServingOperator(peer) || (_rules.TryGetValue(peer.Uid, out var rule) && rule.Keys.Contains(key))
            ? AccessDecision.Allow
            : AccessDecision.Refuse(RefusalReason.HostKey,
                $"vifspec key {key}= of {vif} is the operator's to set, and uid {peer.Uid} may not (a Netback:Access rule's Keys grants it)");

    /// <summary>One line for the startup log.</summary>
    public string Describe() =>
        $"uids {string.Join(',', _uids.Order())}; gids {(_gids.Count == 0 ? "none" : string.Join(',', _gids.Order()))}; "
        + $"{_maxVifsPerUid} vifs per uid; {_rules.Count} rule(s); root self-service {(_rootSelfService ? "on" : "off")}";

    private static bool AnyMatch(IReadOnlyList<string> patterns, string text, bool ignoreCase)
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
