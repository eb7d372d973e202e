using System.Globalization;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Memory;
using Ring.Shared.Offload;
using Ring.Shared.Rings;
using Ring.Shared.Text;
using Ring.Shared.Topology;

namespace Netback.Daemon.Xenbus;

/// <summary>
/// A frontend's Connect, parsed and checked against the backend's features before anything is
/// created (netback's <c>connect</c>/<c>connect_data_rings</c>). Every value is bounded; every fd
/// index must name a received fd and be used exactly once.
/// </summary>
internal sealed record ConnectRequest(
    int NumQueues,
    int RingPageOrder,
    RingLayout Layout,
    bool SplitEventChannels,
    int GrantPages,
    int DataPageFirst,
    int GrantAreaFd,
    IReadOnlyList<QueuePlan> Queues,
    VifSpec Spec,
    int? DomId,
    int? Handle,
    OffloadFeatures FrontendRxFeatures)
{
    /// <summary>The frontend's <c>frontend-cpus</c>: CPUs of this machine, or null when absent.</summary>
    public CpuSet? FrontendCpus { get; init; }

    /// <summary>The frontend's <c>frontend-node</c>: a node of this machine, or null when absent.</summary>
    public int? FrontendNode { get; init; }

    /// <param name="topology">The machine's CPUs and nodes, against which frontend-cpus/-node are checked (default: this machine's).</param>
    public static ConnectRequest Parse(ControlMessage m, int fdCount, NetbackOptions options, CpuTopology? topology = null)
    {
        if (m.Type != ControlMessageType.Connect)
        {
            throw new ControlProtocolException($"expected Connect, got {m.Type}");
        }
        if (m.State != XenbusState.Connected)
        {
            throw new ControlProtocolException($"Connect must carry state {(int)XenbusState.Connected} (Connected), not {(int)m.State}");
        }
        if (!m.GetFlag(XenbusKeys.RequestRxCopy))
        {
            throw new ControlProtocolException("the frontend must set request-rx-copy=1 (page flipping is not supported)");
        }
        int queues = m.GetInt(XenbusKeys.MultiQueueNumQueues, 1, options.MaxQueues, fallback: 1);
        int order = m.GetInt(XenbusKeys.RingPageOrder, 0, options.MaxRingPageOrder, fallback: 0);
        string layoutName = m.Get(XenbusKeys.RingLayout) ?? RingLayoutNames.Xen;
        if (!RingLayoutNames.TryParse(layoutName, out var layout))
        {
            throw new ControlProtocolException($"unknown ring-layout '{ControlMessage.Quote(layoutName)}' ({RingLayoutNames.Allowed})");
        }
        int grantPages = m.GetInt(XenbusKeys.GrantPages, 2, GrantArea.MaxPages);
        int dataFirst = m.GetInt(XenbusKeys.DataPageFirst, 1, grantPages - 1);
        if (fdCount < 1)
        {
            throw new ControlProtocolException("no file descriptors came with Connect");
        }
        int grantFd = m.GetInt(XenbusKeys.GrantAreaFd, 0, fdCount - 1);

        var used = new bool[fdCount];
        Use(used, grantFd, XenbusKeys.GrantAreaFd);
        // Every layout has Xen's slot count at this order; the non-Xen ones span more pages for it.
        int txPages = RingGeometry.For(RingKind.Tx, layout, order).Pages;
        int rxPages = RingGeometry.For(RingKind.Rx, layout, order).Pages;
        var rings = new List<(uint Start, int Pages, string Key)>();
        var list = new List<QueuePlan>(queues);
        bool? split = null;
        if (queues > 1)
        {
            foreach (string key in new[] { XenbusKeys.TxRingRef, XenbusKeys.RxRingRef, XenbusKeys.EventChannel, XenbusKeys.EventChannelTx, XenbusKeys.EventChannelRx })
            {
                if (m.Has(key))
                {
                    throw new ControlProtocolException($"top-level '{key}' must be absent with {queues} queues (use queue-N/{key})");
                }
            }
        }
        for (int q = 0; q < queues; q++)
        {
            string txKey = XenbusKeys.Queue(queues, q, XenbusKeys.TxRingRef);
            string rxKey = XenbusKeys.Queue(queues, q, XenbusKeys.RxRingRef);
            uint tx = RingRef(m, txKey, txPages, dataFirst, layout, order);
            uint rx = RingRef(m, rxKey, rxPages, dataFirst, layout, order);
            rings.Add((tx, txPages, txKey));
            rings.Add((rx, rxPages, rxKey));

            string single = XenbusKeys.Queue(queues, q, XenbusKeys.EventChannel);
            string txChan = XenbusKeys.Queue(queues, q, XenbusKeys.EventChannelTx);
            string rxChan = XenbusKeys.Queue(queues, q, XenbusKeys.EventChannelRx);
            bool thisSplit = m.Has(txChan) || m.Has(rxChan);
            if (thisSplit && m.Has(single))
            {
                throw new ControlProtocolException($"queue {q} names both split and single event channels");
            }
            if (split is { } s && s != thisSplit)
            {
                throw new ControlProtocolException("all queues must use the same event-channel mode");
            }
            split = thisSplit;
            QueuePlan request;
            if (thisSplit)
            {
                if (!options.SplitEventChannels)
                {
                    throw new ControlProtocolException("split event channels were not offered (feature-split-event-channels=0)");
                }
                var (txKick, txCall) = Channel(m, txChan, fdCount, used);
                var (rxKick, rxCall) = Channel(m, rxChan, fdCount, used);
                request = new QueuePlan(tx, rx, txKick, txCall, rxKick, rxCall);
            }
            else
            {
                var (kick, call) = Channel(m, single, fdCount, used);
                request = new QueuePlan(tx, rx, kick, call, kick, call);
            }
            list.Add(request);
        }
        CheckNoOverlap(rings);
        for (int i = 0; i < fdCount; i++)
        {
            if (!used[i])
            {
                throw new ControlProtocolException($"fd {i} of {fdCount} is not named by any key");
            }
        }
        if (!VifSpec.TryParse(m.Get(XenbusKeys.VifSpec), out var spec, out string? specError))
        {
            // VifSpec quotes the frontend's text as it is: the reason is made printable here, where it is made.
            throw new ControlProtocolException($"vifspec: {PrintableText.Escape(specError ?? "")}");
        }
        int? domId = m.Has(XenbusKeys.DomId) ? m.GetInt(XenbusKeys.DomId, 1, VifRegistry.MaxDomId) : null;
        int? handle = m.Has(XenbusKeys.Handle) ? m.GetInt(XenbusKeys.Handle, 0, VifRegistry.MaxHandle) : null;
        topology ??= CpuTopology.Machine;
        return new ConnectRequest(queues, order, layout, split ?? false, grantPages, dataFirst, grantFd, list, spec, domId, handle,
            RxFeatures(m))
        {
            FrontendCpus = Cpus(m, topology),
            FrontendNode = Node(m, topology),
        };
    }

    /// <summary>
    /// <c>frontend-cpus</c>: advice, but hostile text all the same. Anything but a CPU list of this
    /// machine's CPU numbers (at most <see cref="CpuSet.MaxTextLength"/> characters) refuses the Connect,
    /// as any malformed key does; a CPU that exists but is offline is accepted and left out when placing.
    /// </summary>
    private static CpuSet? Cpus(ControlMessage m, CpuTopology topology)
    {
        if (m.Get(XenbusKeys.FrontendCpus) is not { } text)
        {
            return null;
        }
        if (!CpuSet.TryParse(text, topology.PossibleCpus, out var cpus, out string? error))
        {
            throw new ControlProtocolException($"'{XenbusKeys.FrontendCpus}' {error} (allowed: a Linux CPU list such as 0-1,3 of CPUs 0..{topology.PossibleCpus - 1}, at most {CpuSet.MaxTextLength} characters)");
        }
        return cpus;
    }

    /// <summary><c>frontend-node</c>: a node this machine has, or the Connect is refused.</summary>
    private static int? Node(ControlMessage m, CpuTopology topology)
    {
        if (!m.Has(XenbusKeys.FrontendNode))
        {
            return null;
        }
        string nodes = string.Join(",", topology.Nodes.Keys.Order());
        int node;
        try
        {
            node = m.GetInt(XenbusKeys.FrontendNode, 0, CpuTopology.MaxNodes - 1);
        }
        catch (ControlProtocolException e)
        {
            throw new ControlProtocolException($"{e.Message} (allowed: a NUMA node of this machine: {nodes})", e);
        }
        if (!topology.Nodes.ContainsKey(node))
        {
            throw new ControlProtocolException($"'{XenbusKeys.FrontendNode}' {node} is not a NUMA node of this machine (allowed: {nodes})");
        }
        return node;
    }

    /// <summary>
    /// What the frontend accepts on guest RX (netback's <c>read_xenbus_vif_flags</c>): csum_blank
    /// frames unless feature-no-csum-offload, and only for IPv6 too (one TUN_F_CSUM covers both);
    /// 64 KiB TCP frames with feature-sg and feature-gso-tcpv4/6. Each key must be 0 or 1.
    /// </summary>
    private static OffloadFeatures RxFeatures(ControlMessage m)
    {
        bool sg = m.GetFlag(XenbusKeys.FeatureSg);
        bool tso4 = m.GetFlag(XenbusKeys.FeatureGsoTcpV4);
        bool tso6 = m.GetFlag(XenbusKeys.FeatureGsoTcpV6);
        bool ipv6Csum = m.GetFlag(XenbusKeys.FeatureIpv6CsumOffload);
        bool noCsum = m.GetFlag(XenbusKeys.FeatureNoCsumOffload);
        var f = OffloadFeatures.None;
        if (!noCsum && ipv6Csum)
        {
            f |= OffloadFeatures.Csum;
        }
        if (sg && tso4)
        {
            f |= OffloadFeatures.Tso4;
        }
        if (sg && tso6)
        {
            f |= OffloadFeatures.Tso6;
        }
        return f.Normalize();
    }

    private static (int Kick, int Call) Channel(ControlMessage m, string key, int fdCount, bool[] used)
    {
        string value = m.Get(key) ?? throw new ControlProtocolException($"missing key '{key}'");
        string[] parts = value.Split(',');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int kick)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int call)
            || kick >= fdCount || call >= fdCount)
        {
            throw new ControlProtocolException($"'{key}' = '{ControlMessage.Quote(value)}' is not 'kick,call' fd indices below {fdCount}");
        }
        Use(used, kick, key);
        Use(used, call, key);
        return (kick, call);
    }

    private static void Use(bool[] used, int index, string key)
    {
        if (used[index])
        {
            throw new ControlProtocolException($"fd {index} ('{key}') is used twice");
        }
        used[index] = true;
    }

    /// <summary>
    /// A ring's first page: the whole ring (<paramref name="pages"/> pages from it, which the layout
    /// and order decide) must lie in the ring pages, below <c>data-page-first</c>.
    /// </summary>
    private static uint RingRef(ControlMessage m, string key, int pages, int dataFirst, RingLayout layout, int order)
    {
        uint start = (uint)m.GetInt(key, 0, GrantArea.MaxPages);
        if (start + (long)pages > dataFirst)
        {
            throw new ControlProtocolException($"'{key}' {start}: a ring-layout {layout.ToKey()} ring of ring-page-order {order} spans {pages} page(s), "
                + $"{start}..{start + pages - 1}, which runs past the ring pages (data-page-first {dataFirst})");
        }
        return start;
    }

    private static void CheckNoOverlap(List<(uint Start, int Pages, string Key)> rings)
    {
        rings.Sort((a, b) => a.Start.CompareTo(b.Start));
        for (int i = 1; i < rings.Count; i++)
        {
            if (rings[i].Start < rings[i - 1].Start + (uint)rings[i - 1].Pages)
            {
                throw new ControlProtocolException($"rings '{rings[i - 1].Key}' and '{rings[i].Key}' overlap");
            }
        }
    }
}
