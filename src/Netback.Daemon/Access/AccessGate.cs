using System.Net.NetworkInformation;
using Microsoft.Extensions.Logging;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Access;

/// <summary>
/// Applies the <see cref="AccessPolicy"/> to live connections: at accept, and at Connect before
/// anything is created. Every refusal is logged once (pid, uid, gid, reason) and counted.
/// </summary>
internal sealed class AccessGate
{
    private readonly AccessPolicy _policy;
    private readonly PeerVifLedger _ledger = new();
    private readonly ILogger _logger;

    public AccessGate(AccessPolicy policy, ILogger logger)
    {
        _policy = policy;
        _logger = logger;
    }

    public AccessPolicy Policy => _policy;

    /// <summary>Vifs <paramref name="uid"/> holds now.</summary>
    public int Held(uint uid) => _ledger.Held(uid);

    /// <summary>At accept: may this peer talk to the daemon at all?</summary>
    public bool TryAdmit(PeerIdentity peer, out string reason)
    {
        var decision = _policy.CheckPeer(peer);
        reason = decision.Message ?? "";
        if (!decision.IsAllowed)
        {
            Refused(peer, decision);
        }
        return decision.IsAllowed;
    }

    /// <summary>
    /// At Connect, with the vif's final name, MAC and bridge: takes one of the uid's vifs, or throws
    /// <see cref="AccessRefusedException"/>. Dispose the lease when the vif is gone.
    /// </summary>
    public VifLease AdmitVif(PeerIdentity peer, string vifName, PhysicalAddress mac, string? bridge) =>
        AdmitVif(peer, new VifChoices(vifName, XenMac.Format(mac), bridge));

    /// <summary>
    /// At Connect, with the values the uid's rule judges (<see cref="VifChoices"/>): takes one of the
    /// uid's vifs, or throws <see cref="AccessRefusedException"/>. Dispose the lease when the vif is gone.
    /// </summary>
    public VifLease AdmitVif(PeerIdentity peer, VifChoices choices)
    {
        var decision = _ledger.TryTake(peer.Uid, held => _policy.CheckVif(peer, held, choices));
        Check(peer, decision);
        return new VifLease(_ledger, peer.Uid);
    }

    /// <summary>Throws <see cref="AccessRefusedException"/> for a refusal, logged once and counted first.</summary>
    public void Check(PeerIdentity peer, AccessDecision decision)
    {
        if (!decision.IsAllowed)
        {
            throw Refuse(peer, decision);
        }
    }

    /// <summary>Logs and counts a refusal once; returns the exception to throw.</summary>
    public AccessRefusedException Refuse(PeerIdentity peer, AccessDecision decision)
    {
        Refused(peer, decision);
        return new AccessRefusedException(decision.Message!);
    }

    private void Refused(PeerIdentity peer, AccessDecision decision)
    {
        RefusalCounters.Increment(decision.Reason!.Value);
        AccessLog.Refused(_logger, peer.Pid, peer.Uid, peer.Gid, decision.Message!);
    }
}
