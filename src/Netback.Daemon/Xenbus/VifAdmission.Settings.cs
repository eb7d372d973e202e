using Netback.Daemon.Access;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Xenbus;

/// <summary>
/// Which of a frontend's vifspec keys count, and the vif's settings that result. The base is the
/// daemon's <c>DefaultVifSpec</c> under the declaration's keys; a frontend's host-side key is taken
/// only if it restates the vif's own value, or a rule grants it (root and the daemon's uid with
/// <c>RootSelfService</c>: any) where the declaration leaves it open. The operator's <c>rate=</c> is a
/// ceiling; <c>offloads=off</c> from either side wins.
/// </summary>
internal sealed partial class VifAdmission
{
    /// <summary>The vif's settings, and what of them the uid's rule must judge.</summary>
    private (VifSpec Spec, VifChoices Choices) Settle(VifTarget target, VifSpec frontend, PeerIdentity peer)
    {
        var declaration = target.Declaration;
        var identity = target.Identity;
        bool selfServingOperator = _access.Policy.IsSelfServingOperator(peer);
        var baseline = declaration is null ? _defaultSpec : _defaultSpec.OverrideWith(declaration.Spec);
        baseline = baseline with
        {
            VifName = identity.Name,
            // A declared or self-service vif's MAC comes from its ids, so a reconnect restates the same one;
            // root's convenience vifs keep libxl's random one (xl's own behaviour).
            Mac = declaration?.Mac ?? baseline.Mac ?? (!selfServingOperator
                ? XenMac.ForVif(identity.DomId, identity.Handle) : XenMac.Random()),
        };
        string[] set = [.. VifSpecKeys.HostSideKeysOf(frontend).Where(k => !VifSpecKeys.SameValue(k, frontend, baseline))];
        if (declaration is not null)
        {
            CheckDeclaredKeys(peer, set, declaration);
        }
        // (A self-service vif's keys were checked before its identity was reserved: CheckSelfServiceKeys.)

        var spec = baseline;
        foreach (string key in set)
        {
            spec = key == VifSpecKeys.Rate
                ? spec with { Rate = RateLimit.Lower(baseline.Rate, frontend.Rate) }
                : VifSpecKeys.Take(key, spec, frontend);
        }
        spec = spec with { Offloads = baseline.Offloads == false ? false : frontend.Offloads ?? baseline.Offloads };
        if (declaration is null && spec.Ips.Count == 0 && _access.Policy.SelfServiceIps(peer) is { Count: > 0 } prefixes)
        {
            // A self-service uid held to prefixes gets them as its ip=, so anti-spoofing holds it there.
            spec = spec with { Ips = prefixes };
        }

        var choices = declaration is null
            // Declared on the fly: every final value is the uid's doing, generated ones included.
            ? new VifChoices(identity.Name, XenMac.Format(spec.Mac!), spec.Bridge, spec.Ips, spec.Mtu)
            // Declared: only what the frontend changed is its own; the rest is the operator's.
            : new VifChoices(null,
                set.Contains(VifSpecKeys.Mac) ? XenMac.Format(spec.Mac!) : null,
                set.Contains(VifSpecKeys.Bridge) ? spec.Bridge : null,
                set.Contains(VifSpecKeys.Ip) ? spec.Ips : null,
                set.Contains(VifSpecKeys.Mtu) ? spec.Mtu : null);
        return (spec, choices);
    }

    /// <summary>
    /// On a declared vif, a key the declaration sets (its name always: it was reserved under it) is the
    /// operator's decision; any other needs a grant. <c>rate=</c> is never fixed: the lower one applies.
    /// </summary>
    private void CheckDeclaredKeys(PeerIdentity peer, string[] set, VifDeclaration declaration)
    {
        var declared = VifSpecKeys.HostSideKeysOf(declaration.Spec).ToHashSet(StringComparer.Ordinal);
        foreach (string key in set)
        {
            if (key != VifSpecKeys.Rate && (key == VifSpecKeys.VifName || declared.Contains(key)))
            {
                _access.Check(peer, AccessDecision.Refuse(RefusalReason.HostKey,
                    $"vifspec key {key}= differs from {declaration.Name}'s declaration, which the operator decides (uid {peer.Uid} may only restate it)"));
            }
            _access.Check(peer, _access.Policy.CheckKey(peer, key, declaration.Name));
        }
    }

    /// <summary>
    /// Before a vif is declared on the fly: each host-side key must be granted (or restate the
    /// default), and a chosen name may not have the form of another vif's generated name.
    /// </summary>
    private void CheckSelfServiceKeys(PeerIdentity peer, VifSpec frontend, int? domId, int devId)
    {
        string name = frontend.VifName ?? (domId is { } d ? VifNames.Generated(d, devId) : "a self-service vif");
        // Without a domid the vif's own generated name is not known yet: any name of that form is another's.
        if (frontend.VifName is { } chosen && (domId is { } id ? VifNames.IsAnotherVifsName(chosen, id, devId) : VifNames.HasGeneratedForm(chosen)))
        {
            _access.Check(peer, AccessDecision.Refuse(RefusalReason.VifName,
                $"vif name {chosen} has the form of another vif's generated name (vif<domid>.<devid>)"));
        }
        var baseline = _defaultSpec with
        {
            VifName = domId is { } vd ? VifNames.Generated(vd, devId) : null,
            Mac = _defaultSpec.Mac ?? (domId is { } md && !_access.Policy.IsSelfServingOperator(peer) ? XenMac.ForVif(md, devId) : null),
        };
        foreach (string key in VifSpecKeys.HostSideKeysOf(frontend))
        {
            if (!VifSpecKeys.SameValue(key, frontend, baseline))
            {
                _access.Check(peer, _access.Policy.CheckKey(peer, key, name));
            }
        }
    }
}
