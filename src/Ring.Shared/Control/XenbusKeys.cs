using System.Globalization;

namespace Ring.Shared.Control;

/// <summary>
/// Keys of the handshake, named as in Xen's netif.h / xenstore where Xen has them
/// (fact sheet §2.6); the rest are this emulation's (grant-area layout, fd indices, ring layout).
/// </summary>
public static class XenbusKeys
{
    public const string State = "state";
    public const string ProtocolVersion = "protocol-version";
    public const string Reason = "reason";

    // Backend features (written in the backend "directory").
    public const string FeatureSg = "feature-sg";
    public const string FeatureGsoTcpV4 = "feature-gso-tcpv4";
    public const string FeatureGsoTcpV6 = "feature-gso-tcpv6";
    public const string FeatureIpv6CsumOffload = "feature-ipv6-csum-offload";
    /// <summary>Frontend: 1 = do not send it csum_blank frames on RX (absent = it accepts them).</summary>
    public const string FeatureNoCsumOffload = "feature-no-csum-offload";
    public const string FeatureRxCopy = "feature-rx-copy";
    public const string FeatureRxFlip = "feature-rx-flip";
    public const string FeatureSplitEventChannels = "feature-split-event-channels";
    public const string MultiQueueMaxQueues = "multi-queue-max-queues";
    public const string MaxRingPageOrder = "max-ring-page-order";
    public const string RingLayouts = "ring-layouts";
    public const string Mtu = "mtu";

    // Frontend choices.
    public const string MultiQueueNumQueues = "multi-queue-num-queues";
    public const string RingPageOrder = "ring-page-order";
    public const string RingLayout = "ring-layout";
    public const string RequestRxCopy = "request-rx-copy";
    public const string FeatureRxNotify = "feature-rx-notify";
    public const string GrantPages = "grant-pages";
    public const string DataPageFirst = "data-page-first";
    public const string GrantAreaFd = "grant-area-fd";
    public const string VifSpec = "vifspec";
    public const string DomId = "domid";
    public const string Handle = "handle";
    /// <summary>
    /// This emulation's: the CPUs the frontend's queue threads run on, a Linux CPU list (<c>0-1,3</c>);
    /// queue i runs on the list's (i mod n)-th CPU when the frontend pinned its threads. Advice for
    /// <c>Netback:Placement</c>; strictly parsed (docs/protocol.md).
    /// </summary>
    public const string FrontendCpus = "frontend-cpus";
    /// <summary>This emulation's: the NUMA node the frontend runs on (absent when its CPUs span several).</summary>
    public const string FrontendNode = "frontend-node";

    // Per queue (top level when there is one queue, under queue-N/ otherwise, as in Xen).
    public const string TxRingRef = "tx-ring-ref";
    public const string RxRingRef = "rx-ring-ref";
    /// <summary>Single mode: "kick-fd-index,call-fd-index" shared by TX and RX.</summary>
    public const string EventChannel = "event-channel";
    /// <summary>Split mode: TX channel "kick-fd-index,call-fd-index".</summary>
    public const string EventChannelTx = "event-channel-tx";
    /// <summary>Split mode: RX channel "kick-fd-index,call-fd-index".</summary>
    public const string EventChannelRx = "event-channel-rx";

    // Backend's Connected reply.
    public const string Vif = "vif";
    public const string Mac = "mac";
    public const string BackendMac = "backend-mac";

    /// <summary>The key of a per-queue value: Xen puts it under <c>queue-N/</c> only for multi-queue vifs.</summary>
    public static string Queue(int numQueues, int queue, string key) =>
        numQueues == 1 ? key : string.Create(CultureInfo.InvariantCulture, $"queue-{queue}/{key}");
}
