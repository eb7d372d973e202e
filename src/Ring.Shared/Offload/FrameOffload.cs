using Ring.Shared.Abi;

namespace Ring.Shared.Offload;

/// <summary>
/// A frame's checksum and segmentation metadata as Xen carries it (docs/protocol.md "Offloads"):
/// the csum flags of its first slot and its GSO extra-info slot. The same for both rings; only the
/// flag bits differ (NETTXF_* and NETRXF_* swap csum_blank and data_validated), which
/// <see cref="TxFlags"/>, <see cref="RxFlags"/>, <see cref="FromTx"/> and <see cref="FromRx"/>
/// encode. <see cref="NetifOffload"/> maps it to and from a TAP's <see cref="VirtioNetHdr"/>.
/// </summary>
/// <param name="CsumBlank">The L4 checksum field holds only the pseudo-header sum: to be completed.</param>
/// <param name="DataValidated">The checksum is known good (or will be, with <paramref name="CsumBlank"/>).</param>
/// <param name="GsoType">TcpV4/TcpV6 for a frame to be segmented, None otherwise.</param>
/// <param name="GsoSize">The MSS of a GSO frame (&gt; 0); 0 otherwise.</param>
public readonly record struct FrameOffload(bool CsumBlank, bool DataValidated, XenNetifGsoType GsoType, ushort GsoSize)
{
    /// <summary>No metadata: a complete frame with its checksums in place.</summary>
    public static FrameOffload None => default;

    /// <summary>Whether the frame carries a GSO extra-info slot.</summary>
    public bool IsGso => GsoType != XenNetifGsoType.None;

    /// <summary>
    /// The first guest-TX slot's offload flags (xennet_start_xmit): NETTXF_csum_blank,
    /// NETTXF_data_validated, and NETTXF_extra_info when the GSO extra follows. NETTXF_more_data
    /// is each slot's own and not included.
    /// </summary>
    public NetTxFlags TxFlags =>
        (CsumBlank ? NetTxFlags.CsumBlank : NetTxFlags.None)
        | (DataValidated ? NetTxFlags.DataValidated : NetTxFlags.None)
        | (IsGso ? NetTxFlags.ExtraInfo : NetTxFlags.None);

    /// <summary>
    /// The first guest-RX response's offload flags (netback's rx.c): NETRXF_csum_blank,
    /// NETRXF_data_validated, and NETRXF_extra_info when the GSO extra follows. NETRXF_more_data
    /// is each response's own and not included.
    /// </summary>
    public NetRxFlags RxFlags =>
        (CsumBlank ? NetRxFlags.CsumBlank : NetRxFlags.None)
        | (DataValidated ? NetRxFlags.DataValidated : NetRxFlags.None)
        | (IsGso ? NetRxFlags.ExtraInfo : NetRxFlags.None);

    /// <summary>
    /// The <c>netif_extra_info</c> slot of a GSO frame: type XEN_NETIF_EXTRA_TYPE_GSO, no
    /// XEN_NETIF_EXTRA_FLAG_MORE, <c>gso.size</c> and <c>gso.type</c>. All zero when not GSO.
    /// </summary>
    public NetifExtraInfo GsoExtra => IsGso
        ? new NetifExtraInfo { Type = (byte)XenNetifExtraType.Gso, GsoSize = GsoSize, GsoType = (byte)GsoType }
        : default;

    /// <summary>
    /// A guest-TX frame as netback reads it: the first slot's flags taken as they are (netback
    /// looks at data_validated only when csum_blank is clear), and the GSO extra when
    /// <paramref name="extra"/> is one (pass <c>default</c> when the frame has none). The extra's
    /// size and type are copied, not checked: netback's ring reader does that (xenvif_set_skb_gso).
    /// </summary>
    public static FrameOffload FromTx(NetTxFlags flags, in NetifExtraInfo extra) => new(
        (flags & NetTxFlags.CsumBlank) != 0,
        (flags & NetTxFlags.DataValidated) != 0,
        extra.Type == (byte)XenNetifExtraType.Gso ? (XenNetifGsoType)extra.GsoType : XenNetifGsoType.None,
        extra.Type == (byte)XenNetifExtraType.Gso ? extra.GsoSize : (ushort)0);

    /// <summary>
    /// A guest-RX frame as netfront reads it: NETRXF_csum_blank implies data_validated (netfront
    /// marks such a frame CHECKSUM_PARTIAL, whose data is good), and the GSO extra when
    /// <paramref name="extra"/> is one (pass <c>default</c> when the frame has none). The extra is
    /// copied, not checked: netfront's ring reader does that (xennet_set_skb_gso).
    /// </summary>
    public static FrameOffload FromRx(NetRxFlags flags, in NetifExtraInfo extra)
    {
        bool blank = (flags & NetRxFlags.CsumBlank) != 0;
        return new(
            blank,
            blank || (flags & NetRxFlags.DataValidated) != 0,
            extra.Type == (byte)XenNetifExtraType.Gso ? (XenNetifGsoType)extra.GsoType : XenNetifGsoType.None,
            extra.Type == (byte)XenNetifExtraType.Gso ? extra.GsoSize : (ushort)0);
    }
}
