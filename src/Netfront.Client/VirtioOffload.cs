using Ring.Shared.Abi;
using Ring.Shared.Offload;

namespace Netfront.Client;

/// <summary>
/// Between a TAP's <see cref="VirtioNetHdr"/> (IFF_VNET_HDR) and Xen's offload encoding
/// (<see cref="FrameOffload"/>), as docs/protocol.md "Offloads" maps them: what a guest-side relay
/// (<c>netfront attach</c>) needs in both directions. Allocation-free; headers are parsed from a
/// bounded copy, never trusted beyond the frame.
/// </summary>
public static class VirtioOffload
{
    /// <summary>Header bytes copied out when a frame's first segment is short, to parse csum_start and hdr_len.</summary>
    public const int HeaderCopyLength = 256;

    /// <summary>
    /// Guest TX (a frame read from the TAP): NEEDS_CSUM → csum_blank and data_validated (netfront
    /// marks CHECKSUM_PARTIAL frames both); DATA_VALID → data_validated; GSO TCPV4/TCPV6 → the GSO
    /// extra. False for GSO that Xen cannot carry (UDP, the ECN bit), that <paramref name="backendTx"/>
    /// does not include, or with a zero gso_size: the caller drops the frame.
    /// </summary>
    public static bool TryToXen(in VirtioNetHdr vnet, OffloadFeatures backendTx, out FrameOffload offload)
    {
        bool blank = (vnet.Flags & VirtioNetHdr.FlagNeedsCsum) != 0;
        bool valid = blank || (vnet.Flags & VirtioNetHdr.FlagDataValid) != 0;
        var gso = XenNetifGsoType.None;
        if (vnet.GsoType != VirtioNetHdr.GsoNone)
        {
            var needed = OffloadFeatures.None;
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
            }
            if (needed == OffloadFeatures.None || (backendTx.Normalize() & needed) == 0 || vnet.GsoSize == 0)
            {
                offload = default;
                return false;
            }
        }
        offload = new FrameOffload(blank, valid, gso, gso == XenNetifGsoType.None ? (ushort)0 : vnet.GsoSize);
        return true;
    }

    /// <summary>
    /// Guest RX (a frame to write to the TAP), netfront's <c>checksum_setup</c> and
    /// <c>xennet_set_skb_gso</c>: csum_blank → NEEDS_CSUM with csum_start/csum_offset parsed from
    /// the frame's headers; data_validated alone → DATA_VALID; GSO → gso_type, gso_size and hdr_len.
    /// False when the headers do not bear the flags out (not TCP/UDP over IPv4/IPv6, GSO that is not
    /// TCP of the stated IP version, GSO without csum_blank): the caller drops the frame.
    /// </summary>
    public static bool TryToVirtio(in RxFrame frame, out VirtioNetHdr vnet)
    {
        vnet = default;
        var offload = frame.Offload;
        if (!offload.CsumBlank)
        {
            if (offload.IsGso)
            {
                return false; // a GSO frame is always checksum-partial
            }
            vnet.Flags = offload.DataValidated ? VirtioNetHdr.FlagDataValid : (byte)0;
            return true;
        }
        if (frame.Segments.Length == 0)
        {
            return false;
        }
        // Headers may straddle a short first segment: parse a private copy then.
        ReadOnlySpan<byte> head = frame.Segments[0].Span;
        if (head.Length < HeaderCopyLength && frame.Segments.Length > 1)
        {
            Span<byte> copy = stackalloc byte[HeaderCopyLength];
            return TryFill(copy[..frame.CopyPrefix(copy)], offload, ref vnet);
        }
        return TryFill(head, offload, ref vnet);
    }

    private static bool TryFill(ReadOnlySpan<byte> head, in FrameOffload offload, ref VirtioNetHdr vnet)
    {
        if (!PacketHeaders.TryParse(head, out var headers))
        {
            return false;
        }
        vnet.Flags = VirtioNetHdr.FlagNeedsCsum;
        vnet.CsumStart = (ushort)headers.TransportOffset;
        vnet.CsumOffset = (ushort)headers.ChecksumOffset;
        if (offload.IsGso)
        {
            bool v6 = offload.GsoType == XenNetifGsoType.TcpV6;
            if (headers.Protocol != PacketHeaders.ProtocolTcp || headers.IsIPv6 != v6)
            {
                return false;
            }
            vnet.GsoType = v6 ? VirtioNetHdr.GsoTcpV6 : VirtioNetHdr.GsoTcpV4;
            vnet.GsoSize = offload.GsoSize;
            vnet.HdrLen = (ushort)headers.HeaderLength;
        }
        return true;
    }
}
