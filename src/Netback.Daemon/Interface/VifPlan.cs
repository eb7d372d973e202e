using System.Net;
using System.Net.NetworkInformation;
using Netback.Daemon.Configuration;
using Ring.Shared.Rings;

namespace Netback.Daemon.Interface;

/// <summary>
/// Everything decided about a vif before it is built, in this layer's terms: what netback's
/// xenbus.c <c>connect()</c> gathers from the toolstack's and the frontend's nodes before
/// <c>xenvif_connect_data</c>. The control plane builds it; <see cref="VifFactory"/> builds the vif.
/// </summary>
internal sealed record VifPlan
{
    public required VifIdentity Identity { get; init; }

    /// <summary>The frontend's MAC (toolstack's <c>mac=</c> or generated).</summary>
    public required PhysicalAddress Mac { get; init; }

    public required int Mtu { get; init; }

    /// <summary><c>bridge=</c>: the bridge the vif's TAP joins, or none.</summary>
    public string? Bridge { get; init; }

    /// <summary>
    /// <c>script=</c> (default vif-bridge): run with <c>online</c> once the TAP exists and <c>offline</c>
    /// before it goes, where the netdev is one the host sees (<c>IVifTapProvider.RunsHotplugScripts</c>).
    /// </summary>
    public required HotplugScript Script { get; init; }

    /// <summary><c>ip=</c>: what anti-spoofing lets the guest send from (empty: the MAC is checked only).</summary>
    public IReadOnlyList<IPNetwork> Ips { get; init; } = [];

    /// <summary><c>rate=</c> at connect time (changeable later with <see cref="Vif.SetRate"/>).</summary>
    public RateLimit? Rate { get; init; }

    /// <summary>Drop guest frames not from the vif's MAC (or, with <see cref="Ips"/>, an unlisted address).</summary>
    public bool AntiSpoofing { get; init; } = true;

    public RxStallPolicy RxStall { get; init; } = RxStallPolicy.Default;

    /// <summary>The workers' polling window after work, in µs (0: sleep as soon as the rings are empty).</summary>
    public int PollMicroseconds { get; init; }

    /// <summary>Where each queue's worker runs (Netback:Placement and the frontend's frontend-cpus / frontend-node).</summary>
    public VifPlacement Placement { get; init; } = VifPlacement.None;

    /// <summary>ring.h's event-index suppression (Netback:EventSuppression); off: a call per push, req_event always armed.</summary>
    public bool EventSuppression { get; init; } = true;

    public required VifOffloads Offloads { get; init; }

    public required int RingPageOrder { get; init; }

    public required RingLayout Layout { get; init; }

    public required bool SplitEventChannels { get; init; }

    /// <summary>Pages of the frontend's grant area (rings first, then data pages).</summary>
    public required int GrantPages { get; init; }

    /// <summary>The first data page: grefs in [DataPageFirst, GrantPages) may carry frames.</summary>
    public required int DataPageFirst { get; init; }

    /// <summary>Index of the grant area's memfd among the received fds.</summary>
    public required int GrantAreaFd { get; init; }

    public required IReadOnlyList<QueuePlan> Queues { get; init; }
}
