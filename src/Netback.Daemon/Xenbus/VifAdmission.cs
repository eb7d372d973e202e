using Netback.Daemon.Access;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;
using Netback.Daemon.Interface;
using Ring.Shared.Abi;
using Ring.Shared.Topology;

namespace Netback.Daemon.Xenbus;

/// <summary>
/// Decides what vif a frontend's Connect gets, before anything is created (what netback's xenbus.c
/// reads from the backend node the toolstack wrote). Xen's trust model: the operator declares a vif,
/// its owner and its host-side settings; a frontend names its domid/devid (or none: the first free
/// vif it owns) and is admitted only to a declared vif its peer credentials own, with that vif's
/// settings. Undeclared vifs are for root and the daemon's uid (<c>RootSelfService</c>) and for a uid
/// whose rule says <c>SelfService</c>, within its domids. A frontend's host-side vifspec keys are
/// refused unless they restate the vif's own value or a rule grants them (VifAdmission.Settings.cs).
/// Every refusal is one line to the frontend, logged once, and leaves nothing held.
/// </summary>
internal sealed partial class VifAdmission
{
    private readonly NetbackOptions _options;
    private readonly VifSpec _defaultSpec;
    private readonly VifRegistry _registry;
    private readonly AccessGate _access;
    private readonly Func<string, bool> _nameTaken;

    /// <param name="registry">The backend's directory: the operator's declarations and the live vifs.</param>
    public VifAdmission(NetbackOptions options, VifSpec defaultSpec, VifRegistry registry, AccessGate access, Func<string, bool> nameTaken)
    {
        _options = options;
        _defaultSpec = defaultSpec;
        _registry = registry;
        _access = access;
        _nameTaken = nameTaken;
        _ = PlacementPolicyNames.TryParse(options.Placement, out _placement); // validated at start
        _ = ThreadModel.TryParse(options.Threads, out _threads, out _);
    }

    private readonly PlacementPolicy _placement;
    private readonly ThreadModel _threads;

    /// <summary>The MTU a frontend is offered in Hello, before it names its vif (Connected carries the vif's own).</summary>
    public int DefaultMtu => _defaultSpec.Mtu ?? NetifLimits.DefaultMtu;

    /// <summary>
    /// Admits <paramref name="peer"/>'s Connect: the plan to build and the lease that counts it
    /// against its uid. Throws (a refusal with its reason) with nothing held. On success the caller
    /// owns the identity's reservation (with its MAC) and the lease: <see cref="Release"/> gives both back.
    /// </summary>
    public (VifPlan Plan, VifLease Lease) Admit(ConnectRequest request, PeerIdentity peer)
    {
        var target = Reserve(request, peer);
        try
        {
            var (spec, choices) = Settle(target, request.Spec, peer);
            // Judged with the final name and MAC, after the in-memory reservation only: no TAP, thread or mapping yet.
            var lease = _access.AdmitVif(peer, choices);
            try
            {
                _registry.ClaimMac(target.Identity, spec.Mac!, target.Declaration);
            }
            catch
            {
                lease.Dispose();
                throw;
            }
            return (Plan(target.Identity, spec, request), lease);
        }
        catch
        {
            _registry.Release(target.Identity);
            throw;
        }
    }

    /// <summary>Gives back what <see cref="Admit"/> took: the identity's reservation and the uid's lease.</summary>
    public void Release(VifIdentity identity, VifLease lease)
    {
        lease.Dispose();
        _registry.Release(identity);
    }

    /// <summary>Picks the vif and reserves its identity: the declared vif named, the first free one owned, or one declared on the fly.</summary>
    private VifTarget Reserve(ConnectRequest request, PeerIdentity peer)
    {
        var policy = _access.Policy;
        var frontend = request.Spec;
        int devId = request.Handle ?? 0;
        if (request.DomId is { } domId)
        {
            if (_registry.Declaration(domId, devId) is { } declaration)
            {
                _access.Check(peer, AccessPolicy.CheckOwner(peer, declaration));
                return new VifTarget(_registry.ReserveDeclared(declaration, _nameTaken), declaration);
            }
            _access.Check(peer, policy.CheckSelfService(peer, domId, devId));
            CheckSelfServiceKeys(peer, frontend, domId, devId);
            return new VifTarget(_registry.ReserveUndeclared(domId, devId, frontend.VifName, _nameTaken), null);
        }
        if (_registry.ReserveFirstDeclared(d => AccessPolicy.Owns(peer, d), request.Handle, _nameTaken) is { } first)
        {
            return new VifTarget(first.Identity, first.Declaration);
        }
        if (policy.SelfServiceDomIds(peer) is not { } domIds)
        {
            string[] owned = [.. _registry.Declarations().Where(d => AccessPolicy.Owns(peer, d)).Select(d => d.Name)];
            throw _access.Refuse(peer, AccessDecision.Refuse(RefusalReason.NotDeclared, owned.Length == 0
                ? $"no vif is declared for uid {peer.Uid}"
                : $"uid {peer.Uid} has no free declared vif{(request.Handle is { } h ? $" with devid {h}" : "")} ({string.Join(", ", owned)}: in use)"));
        }
        CheckSelfServiceKeys(peer, frontend, null, devId);
        return new VifTarget(_registry.ReserveFirstUndeclared(domIds, devId, frontend.VifName, _nameTaken), null);
    }

    private VifPlan Plan(VifIdentity identity, VifSpec spec, ConnectRequest request) => new()
    {
        Identity = identity,
        Mac = spec.Mac!,
        Mtu = spec.Mtu ?? NetifLimits.DefaultMtu,
        Bridge = spec.Bridge,
        Script = HotplugScript.In(_options.ScriptDirectory, spec.Script ?? VifSpec.DefaultScript,
            TimeSpan.FromSeconds(_options.ScriptTimeoutSeconds)),
        Ips = spec.Ips,
        Rate = spec.Rate,
        AntiSpoofing = _options.AntiSpoofing,
        RxStall = RxStallPolicy.From(_options),
        PollMicroseconds = _options.PollMicroseconds,
        Placement = _threads.Kind == ThreadModelKind.Pool
            ? VifPlacement.ForPool(_placement, _threads.ToString())
            : VifPlacement.For(_placement, CpuTopology.Machine, request.FrontendCpus, request.FrontendNode, request.Queues.Count),
        EventSuppression = _options.EventSuppression,
        Offloads = VifOffloads.For(_options.Offloads && spec.Offloads != false, request.FrontendRxFeatures,
            spec.TxCopy ?? TxCopyMode.Direct),
        RingPageOrder = request.RingPageOrder,
        Layout = request.Layout,
        SplitEventChannels = request.SplitEventChannels,
        GrantPages = request.GrantPages,
        DataPageFirst = request.DataPageFirst,
        GrantAreaFd = request.GrantAreaFd,
        Queues = request.Queues,
    };
}
