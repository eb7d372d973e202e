using Netback.Daemon.Access;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Ring.Shared.Abi;

namespace Netback.Daemon.Xenbus;

/// <summary>
/// Decides what vif a frontend's Connect gets, before anything is created: its identity (domid,
/// devid, name, reserved in the registry), its host-side settings (the daemon's vifspec, then the
/// frontend's), and one of its uid's vif leases. What netback's xenbus.c reads from the toolstack's
/// backend node, here decided by the daemon.
/// </summary>
internal sealed class VifAdmission
{
    private readonly NetbackOptions _options;
    private readonly VifSpec _defaultSpec;
    private readonly VifRegistry _registry;
    private readonly AccessGate _access;
    private readonly Func<string, bool> _nameTaken;

    public VifAdmission(NetbackOptions options, VifSpec defaultSpec, VifRegistry registry, AccessGate access, Func<string, bool> nameTaken)
    {
        _options = options;
        _defaultSpec = defaultSpec;
        _registry = registry;
        _access = access;
        _nameTaken = nameTaken;
    }

    /// <summary>The MTU a frontend is offered in Hello, before it names its vif.</summary>
    public int DefaultMtu => _defaultSpec.Mtu ?? NetifLimits.DefaultMtu;

    /// <summary>
    /// Admits <paramref name="peer"/>'s Connect: the plan to build and the lease that counts it
    /// against its uid. Throws (a refusal with its reason) with nothing held. On success the caller
    /// owns the identity's reservation and the lease: <see cref="Release"/> gives both back.
    /// </summary>
    public (VifPlan Plan, VifLease Lease) Admit(ConnectRequest request, PeerIdentity peer)
    {
        var spec = _defaultSpec.OverrideWith(request.Spec);
        // The MAC is drawn here, not in VifFactory, so the access policy judges the one the vif gets.
        spec = spec with { Mac = spec.Mac ?? XenMac.Random() };
        var identity = _registry.Reserve(request.DomId, request.Handle, spec.VifName, _nameTaken);
        VifLease lease;
        try
        {
            // Checked with the final name and MAC, after the in-memory reservation only: no TAP, thread or mapping yet.
            lease = _access.AdmitVif(peer, identity.Name, spec.Mac, spec.Bridge);
        }
        catch
        {
            _registry.Release(identity);
            throw;
        }
        var plan = new VifPlan
        {
            Identity = identity,
            Mac = spec.Mac,
            Mtu = spec.Mtu ?? NetifLimits.DefaultMtu,
            Bridge = spec.Bridge,
            Ips = spec.Ips,
            Rate = spec.Rate,
            AntiSpoofing = _options.AntiSpoofing,
            RxStall = RxStallPolicy.From(_options),
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
        return (plan, lease);
    }

    /// <summary>Gives back what <see cref="Admit"/> took: the identity's reservation and the uid's lease.</summary>
    public void Release(VifIdentity identity, VifLease lease)
    {
        lease.Dispose();
        _registry.Release(identity);
    }
}
