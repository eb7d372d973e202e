using Ring.Shared.Abi;
using Ring.Shared.Rings;

namespace Ring.Shared.Offload;

// The mapping (docs/protocol.md "Offloads"). Both TAPs carry a virtio_net_hdr (IFF_VNET_HDR); the
// rings carry Xen's encoding: the first slot's csum flags and a GSO extra-info slot.
//
//  virtio → Xen (FromVirtio)                   a TAP read put on a ring
//    NEEDS_CSUM                                csum_blank + data_validated  (RX ring: only if the frontend takes csum)
//    DATA_VALID                                data_validated
//    gso TCPV4 / TCPV6, gso_size               GSO extra: type TCPV4 (1) / TCPV6 (2), size  (only if feature-gso-tcpv4/6)
//    gso UDP, UDP_L4, ECN bit; gso_size 0      refused: Xen cannot carry them
//  Xen → virtio (ToVirtio)                     a ring's frame written to a TAP
//    csum_blank                                NEEDS_CSUM, csum_start/csum_offset parsed from the headers
//    data_validated alone                      DATA_VALID
//    GSO extra TCPV4 / TCPV6, size             gso_type TCPV4 / TCPV6, gso_size, hdr_len parsed; NEEDS_CSUM
//    GSO without csum_blank                    TX ring: NEEDS_CSUM once the caller wrote the pseudo-header sum
//                                              into its copy (WritePseudoHeaderChecksum); RX ring: refused
//    GSO type not the frame's                  refused; TX ring also refuses gso.size > 65535 − hdr_len
//
// Who uses which:       guest TX (RingKind.Tx)                 guest RX (RingKind.Rx)
//   FromVirtio          netfront: its guest TAP → TX ring      netback: the vif's TAP → RX ring
//   ToVirtio            netback: TX ring → the vif's TAP       netfront: RX ring → its guest TAP

/// <summary>
/// The one mapping between a TAP's <see cref="VirtioNetHdr"/> and Xen's offload encoding
/// (<see cref="FrameOffload"/>), for netback and netfront alike. What differs between them is a
/// property of the ring the frame travels on, so the ring is a parameter: Xen's guest-TX ring always
/// takes csum_blank and bounds a frame at XEN_NETIF_MAX_TX_SIZE, and netback repairs a GSO frame
/// without csum_blank; the guest-RX ring takes csum_blank only from a frontend that accepts it, and
/// netfront refuses such a GSO frame. Allocation-free; headers are parsed with
/// <see cref="PacketHeaders"/>, bounds-checked, never trusted beyond the span given.
/// </summary>
public static partial class NetifOffload
{
    /// <summary>
    /// virtio → Xen, for a frame read from a TAP and put on <paramref name="ring"/>: NEEDS_CSUM →
    /// csum_blank and data_validated (a CHECKSUM_PARTIAL frame's data is good, netfront and netback
    /// both set both); DATA_VALID → data_validated; GSO TCPV4/TCPV6 → the GSO extra.
    /// </summary>
    /// <param name="vnet">The header the TAP put before the frame.</param>
    /// <param name="accepted">
    /// What the receiving side accepts: on the TX ring the backend's features from Connected, on the
    /// RX ring the frontend's from Connect. Normalised first (TSO without Csum is no TSO, as Linux's
    /// netdev_fix_features).
    /// </param>
    /// <param name="ring">
    /// The ring the frame goes on. <see cref="RingKind.Tx"/>: csum_blank is always taken (netback has
    /// no key to refuse it; docs/protocol.md: honoured even with offloads=off).
    /// <see cref="RingKind.Rx"/>: csum_blank needs <see cref="OffloadFeatures.Csum"/> in
    /// <paramref name="accepted"/>, or <see cref="NetifOffloadResult.CsumNotAccepted"/>.
    /// </param>
    /// <param name="offload">The metadata to encode (<see cref="FrameOffload.TxFlags"/> or
    /// <see cref="FrameOffload.RxFlags"/>, and <see cref="FrameOffload.GsoExtra"/>); default unless mapped.</param>
    /// <returns>
    /// <see cref="NetifOffloadResult.Mapped"/>, or why Xen cannot carry the frame to this receiver:
    /// <see cref="NetifOffloadResult.CsumNotAccepted"/>, <see cref="NetifOffloadResult.GsoNotCarried"/>,
    /// <see cref="NetifOffloadResult.GsoNotAccepted"/>, <see cref="NetifOffloadResult.GsoSizeZero"/>.
    /// </returns>
    public static NetifOffloadResult FromVirtio(in VirtioNetHdr vnet, OffloadFeatures accepted, RingKind ring, out FrameOffload offload)
    {
        offload = default;
        accepted = accepted.Normalize();
        bool blank = (vnet.Flags & VirtioNetHdr.FlagNeedsCsum) != 0;
        if (blank && ring == RingKind.Rx && (accepted & OffloadFeatures.Csum) == 0)
        {
            return NetifOffloadResult.CsumNotAccepted;
        }
        bool valid = blank || (vnet.Flags & VirtioNetHdr.FlagDataValid) != 0;
        var gso = XenNetifGsoType.None;
        if (vnet.GsoType != VirtioNetHdr.GsoNone)
        {
            OffloadFeatures needed;
            switch (vnet.GsoType)
            {
                case VirtioNetHdr.GsoTcpV4:
                    gso = XenNetifGsoType.TcpV4;
                    needed = OffloadFeatures.Tso4;
                    break;
                case VirtioNetHdr.GsoTcpV6:
                    gso = XenNetifGsoType.TcpV6;
                    needed = OffloadFeatures.Tso6;
                    break;
                default:
                    return NetifOffloadResult.GsoNotCarried; // Xen has GSO types for TCP only, and no ECN bit
            }
            if ((accepted & needed) == 0)
            {
                return NetifOffloadResult.GsoNotAccepted;
            }
            if (vnet.GsoSize == 0)
            {
                return NetifOffloadResult.GsoSizeZero; // the receiver would have to treat a zero MSS as fatal
            }
        }
        offload = new FrameOffload(blank, valid, gso, gso == XenNetifGsoType.None ? (ushort)0 : vnet.GsoSize);
        return NetifOffloadResult.Mapped;
    }

    /// <summary>
    /// Xen → virtio, for a frame that came off <paramref name="ring"/> and goes to a TAP
    /// (<c>checksum_setup</c> and <c>xenvif_set_skb_gso</c> / <c>xennet_set_skb_gso</c>): csum_blank
    /// → NEEDS_CSUM with <c>csum_start</c>/<c>csum_offset</c> parsed from the headers (Xen carries no
    /// offsets); data_validated alone → DATA_VALID; GSO → <c>gso_type</c>, <c>gso_size</c> and
    /// <c>hdr_len</c>. The headers are parsed only for csum_blank or GSO frames.
    /// </summary>
    /// <param name="offload">The frame's metadata as read from the ring (<see cref="FrameOffload.FromTx"/>, <see cref="FrameOffload.FromRx"/>).</param>
    /// <param name="head">The frame's first bytes, as many as the caller has in one piece: a
    /// header that does not fit is <see cref="NetifOffloadResult.HeadersUnparsable"/>.</param>
    /// <param name="ring">
    /// The ring the frame came from. <see cref="RingKind.Tx"/> (netback): <c>gso.size</c> must be at
    /// most XEN_NETIF_MAX_TX_SIZE minus the headers, and GSO without csum_blank is
    /// <see cref="NetifOffloadResult.NeedsPseudoHeaderChecksum"/>. <see cref="RingKind.Rx"/>
    /// (netfront): no size bound, and GSO without csum_blank is
    /// <see cref="NetifOffloadResult.GsoWithoutCsumBlank"/>, before any parsing.
    /// </param>
    /// <param name="vnet">The header to write before the frame; default unless mapped (or
    /// <see cref="NetifOffloadResult.NeedsPseudoHeaderChecksum"/>).</param>
    /// <param name="headers">What was parsed, when it was (for <see cref="WritePseudoHeaderChecksum"/>); default otherwise.</param>
    public static NetifOffloadResult ToVirtio(in FrameOffload offload, ReadOnlySpan<byte> head, RingKind ring, out VirtioNetHdr vnet, out PacketHeaders headers)
    {
        vnet = default;
        headers = default;
        if (!offload.CsumBlank && !offload.IsGso)
        {
            vnet.Flags = offload.DataValidated ? VirtioNetHdr.FlagDataValid : (byte)0;
            return NetifOffloadResult.Mapped;
        }
        if (!offload.CsumBlank && ring == RingKind.Rx)
        {
            return NetifOffloadResult.GsoWithoutCsumBlank;
        }
        if (!PacketHeaders.TryParse(head, out headers))
        {
            return NetifOffloadResult.HeadersUnparsable;
        }
        if (offload.IsGso)
        {
            bool v6 = offload.GsoType == XenNetifGsoType.TcpV6;
            if (offload.GsoType is not (XenNetifGsoType.TcpV4 or XenNetifGsoType.TcpV6)
                || headers.Protocol != PacketHeaders.ProtocolTcp || headers.IsIPv6 != v6)
            {
                return NetifOffloadResult.GsoTypeMismatch;
            }
            // A TX frame is at most 65535 bytes (its first slot's u16 size): a larger MSS cannot be.
            if (ring == RingKind.Tx && offload.GsoSize > NetifLimits.MaxTxSize - headers.HeaderLength)
            {
                return NetifOffloadResult.GsoSizeOutOfRange;
            }
            vnet.GsoType = v6 ? VirtioNetHdr.GsoTcpV6 : VirtioNetHdr.GsoTcpV4;
            vnet.GsoSize = offload.GsoSize;
            vnet.HdrLen = (ushort)headers.HeaderLength;
        }
        vnet.Flags = VirtioNetHdr.FlagNeedsCsum;
        vnet.CsumStart = (ushort)headers.TransportOffset;
        vnet.CsumOffset = (ushort)headers.ChecksumOffset;
        // Only the TX ring gets here without csum_blank (a GSO frame): the caller fixes the checksum field.
        return offload.CsumBlank ? NetifOffloadResult.Mapped : NetifOffloadResult.NeedsPseudoHeaderChecksum;
    }
}
