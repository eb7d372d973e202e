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
    public VifLease AdmitVif(PeerIdentity peer, string vifName, PhysicalAddress mac, string? bridge)
    {
        string macText = XenMac.Format(mac);
        var decision = _ledger.TryTake(peer.Uid, held => _policy.CheckVif(peer, held, vifName, macText, bridge));
        if (!decision.IsAllowed)
        {
            Refused(peer, decision);
            throw new AccessRefusedException(decision.Message!);
        }
        return new VifLease(_ledger, peer.Uid);
    }

    private void Refused(PeerIdentity peer, AccessDecision decision)
    {
        RefusalCounters.Increment(decision.Reason!.Value);
        AccessLog.Refused(_logger, peer.Pid, peer.Uid, peer.Gid, decision.Message!);
    }
}
