using Ring.Shared.Offload;
using Ring.Shared.Rings;

namespace Netfront.Client;

/// <summary>
/// What a frontend asks for when it connects. Values the backend does not offer are reduced to what
/// it does (queues, ring-page-order, event-channel mode), as Linux netfront and blkfront do; a ring
/// layout the backend does not list is an error.
/// </summary>
public sealed class NetfrontOptions
{
    /// <summary>The default control socket of <c>netbackd</c>.</summary>
    public const string DefaultSocketPath = "/run/netback/netback.sock";

    /// <summary>The backend's control socket (<c>SOCK_SEQPACKET</c>).</summary>
    public string SocketPath { get; set; } = DefaultSocketPath;

    /// <summary>
    /// Queues wanted (<c>multi-queue-num-queues</c>); clamped to 1..the backend's
    /// <c>multi-queue-max-queues</c>.
    /// </summary>
    public int Queues { get; set; } = 1;

    /// <summary>
    /// Pages per ring as a power of two (0..4: 256..4096 slots with the Xen layout); clamped to the
    /// backend's <c>max-ring-page-order</c>.
    /// </summary>
    public int RingPageOrder { get; set; }

    /// <summary>Ring page layout (<c>ring-layout</c>); must be one of the backend's <c>ring-layouts</c>.</summary>
    public RingLayout Layout { get; set; } = RingLayout.Xen;

    /// <summary>
    /// Separate TX and RX event channels (<c>feature-split-event-channels</c>); falls back to a single
    /// channel when the backend does not offer them.
    /// </summary>
    public bool SplitEventChannels { get; set; } = true;

    /// <summary>
    /// Master switch for checksum and segmentation offloads (docs/protocol.md "Offloads"). Off: the
    /// frontend advertises none (<c>feature-no-csum-offload=1</c>), sends none whatever the backend
    /// offers, and adds <c>offloads=off</c> to the vifspec so the backend's TAP does none either.
    /// </summary>
    public bool Offloads { get; set; } = true;

    /// <summary>
    /// What this frontend accepts on guest RX, advertised in Connect (<c>feature-ipv6-csum-offload</c>
    /// and the absence of <c>feature-no-csum-offload</c> for <see cref="OffloadFeatures.Csum"/>,
    /// <c>feature-gso-tcpv4</c>/<c>-tcpv6</c> for the TSO bits). Normalised as Linux does: TSO
    /// without Csum, or without <see cref="RxScatterGather"/>, is not advertised.
    /// </summary>
    public OffloadFeatures RxOffloads { get; set; } = OffloadFeatures.All;

    /// <summary><c>feature-sg</c>: RX frames may span several slots (needed for the TSO bits).</summary>
    public bool RxScatterGather { get; set; } = true;

    /// <summary>Optional Xen vifspec (<c>mac=…,vifname=…,mtu=…</c>) passed to the backend as is.</summary>
    public string? VifSpec { get; set; }

    /// <summary>Requested domid (1..32752); the backend picks the next free one when null.</summary>
    public int? DomId { get; set; }

    /// <summary>Requested device id (<c>handle</c>, 0..255); 0 when null.</summary>
    public int? DevId { get; set; }

    /// <summary>
    /// A Linux CPU list (<c>0-1,3</c>): each queue's driver thread (<see cref="NetfrontQueueDriver{TWork}.Start"/>)
    /// is pinned to the list's (queue mod n)-th CPU, and the list is advertised to the backend as
    /// <c>frontend-cpus</c> for its <c>Netback:Placement</c>. Null: not pinned, and the process's
    /// affinity is advertised instead.
    /// </summary>
    public string? Cpus { get; set; }

    /// <summary>
    /// ring.h's event-index suppression (default on). Off: every push of requests kicks the backend and
    /// every response is asked to be notified, to measure what suppression saves.
    /// </summary>
    public bool EventSuppression { get; set; } = true;

    /// <summary>
    /// When a queue waiting for TX slots asks the backend for a call (<see cref="TxCompletionMode"/>):
    /// halfway through the outstanding requests, as xen-netfront (default), or at every response.
    /// </summary>
    public TxCompletionMode TxCompletion { get; set; } = TxCompletionMode.Half;

    /// <summary>How long to wait for each backend reply during the handshake.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The RX features actually advertised: nothing with <see cref="Offloads"/> off.</summary>
    internal OffloadFeatures EffectiveRxOffloads
    {
        get
        {
            if (!Offloads)
            {
                return OffloadFeatures.None;
            }
            var f = RxOffloads.Normalize();
            return RxScatterGather ? f : f & OffloadFeatures.Csum;
        }
    }

    /// <summary>The vifspec sent: the user's, plus <c>offloads=off</c> when offloads are off.</summary>
    internal string? EffectiveVifSpec
    {
        get
        {
            if (Offloads)
            {
                return string.IsNullOrEmpty(VifSpec) ? null : VifSpec;
            }
            if (string.IsNullOrEmpty(VifSpec))
            {
                return "offloads=off";
            }
            // An explicit offloads= key is the user's to give; do not send the key twice.
            foreach (var part in VifSpec.Split(','))
            {
                if (part.TrimStart().StartsWith("offloads=", StringComparison.Ordinal))
                {
                    return VifSpec;
                }
            }
            return VifSpec + ",offloads=off";
        }
    }

    /// <summary>A copy, for a <see cref="NetfrontConnection"/> to fill in the vif's identity without touching the caller's.</summary>
    internal NetfrontOptions Clone() => (NetfrontOptions)MemberwiseClone();

    internal void Validate()
    {
        if (string.IsNullOrEmpty(SocketPath))
        {
            throw new ArgumentException("a control socket path is required", nameof(SocketPath));
        }
        if (Queues < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Queues), Queues, "at least one queue is required");
        }
        if (RingPageOrder is < 0 or > Ring.Shared.Abi.NetifLimits.MaxRingPageOrder)
        {
            throw new ArgumentOutOfRangeException(nameof(RingPageOrder), RingPageOrder,
                $"ring-page-order must be 0..{Ring.Shared.Abi.NetifLimits.MaxRingPageOrder}");
        }
        if (!Enum.IsDefined(Layout))
        {
            throw new ArgumentOutOfRangeException(nameof(Layout), Layout, "unknown ring layout");
        }
        if ((RxOffloads & ~OffloadFeatures.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RxOffloads), RxOffloads, "unknown offload bits");
        }
        if (DomId is < 1 or > 32752)
        {
            throw new ArgumentOutOfRangeException(nameof(DomId), DomId, "domid must be 1..32752");
        }
        if (DevId is < 0 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(DevId), DevId, "devid must be 0..255");
        }
        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(HandshakeTimeout), HandshakeTimeout, "the handshake timeout must be positive");
        }
    }
}
