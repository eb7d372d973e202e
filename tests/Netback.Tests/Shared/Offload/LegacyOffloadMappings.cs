using System.Buffers.Binary;
using Ring.Shared.Abi;
using Ring.Shared.Offload;

namespace Netback.Tests.Shared.Offload;

/// <summary>
/// The four virtio ↔ Xen mappings as they were before <see cref="NetifOffload"/> replaced them
/// (main at b5a9aa4), frozen here as the reference <see cref="NetifOffloadEquivalenceTests"/>
/// holds the new API to: netfront attach's VirtioOffload.TryToXen and TryToVirtio (header part),
/// and the daemon's VifQueue.RxTranslate and the header part of VifQueue.TxWrite with
/// PseudoHeaderChecksum.Write. Only the plumbing changed (spans and out values instead of the
/// queue's fields); every decision is as it was.
/// </summary>
internal static class LegacyOffloadMappings
{
    /// <summary>The daemon's TxDropReason values TxWrite's header part could return.</summary>
    public enum TxDrop
    {
        None,
        HeadersUnparsable,
        GsoTypeMismatch,
        GsoSizeOutOfRange,
    }

    /// <summary>Netfront.Client's VirtioOffload.TryToXen.</summary>
    public static bool ClientTryToXen(in VirtioNetHdr vnet, OffloadFeatures backendTx, out FrameOffload offload)
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
    /// Netfront.Client's VirtioOffload.TryToVirtio with the frame's first bytes given (the copy of a
    /// short first segment stayed with the frame: RxFrame.ToVirtio).
    /// </summary>
    public static bool ClientTryToVirtio(in FrameOffload offload, ReadOnlySpan<byte> head, out VirtioNetHdr vnet)
    {
        vnet = default;
        if (!offload.CsumBlank)
        {
            if (offload.IsGso)
            {
                return false;
            }
            vnet.Flags = offload.DataValidated ? VirtioNetHdr.FlagDataValid : (byte)0;
            return true;
        }
        if (head.Length == 0)
        {
            return false; // was: no segments
        }
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

    /// <summary>The daemon's VifQueue.RxTranslate, <paramref name="accepted"/> being _vif.Offloads.Rx.</summary>
    public static bool DaemonRxTranslate(in VirtioNetHdr h, OffloadFeatures accepted, out NetRxFlags flags, out NetifExtraInfo extra)
    {
        flags = NetRxFlags.None;
        extra = default;
        if ((h.Flags & VirtioNetHdr.FlagNeedsCsum) != 0)
        {
            if ((accepted & OffloadFeatures.Csum) == 0)
            {
                return false;
            }
            flags = NetRxFlags.CsumBlank | NetRxFlags.DataValidated;
        }
        else if ((h.Flags & VirtioNetHdr.FlagDataValid) != 0)
        {
            flags = NetRxFlags.DataValidated;
        }
        if (h.GsoType == VirtioNetHdr.GsoNone)
        {
            return true;
        }
        XenNetifGsoType type;
        if (h.GsoType == VirtioNetHdr.GsoTcpV4 && (accepted & OffloadFeatures.Tso4) != 0)
        {
            type = XenNetifGsoType.TcpV4;
        }
        else if (h.GsoType == VirtioNetHdr.GsoTcpV6 && (accepted & OffloadFeatures.Tso6) != 0)
        {
            type = XenNetifGsoType.TcpV6;
        }
        else
        {
            return false;
        }
        if (h.GsoSize == 0)
        {
            return false;
        }
        flags |= NetRxFlags.ExtraInfo;
        extra = new NetifExtraInfo { Type = (byte)XenNetifExtraType.Gso, GsoSize = h.GsoSize, GsoType = (byte)type };
        return true;
    }

    /// <summary>
    /// The header part of the daemon's VifQueue.TxWrite: <paramref name="copy"/> is its private copy
    /// of the frame's first bytes (the pseudo-header sum is written there), <paramref name="gso"/>
    /// the GSO extra or default.
    /// </summary>
    public static TxDrop DaemonTxWrite(Span<byte> copy, int total, NetTxFlags flags, NetifExtraInfo gso, out VirtioNetHdr h)
    {
        bool csumBlank = (flags & NetTxFlags.CsumBlank) != 0;
        bool isGso = gso.Type == (byte)XenNetifExtraType.Gso;
        bool parse = csumBlank || isGso;
        h = default;
        if (parse)
        {
            if (!PacketHeaders.TryParse(copy, out var headers))
            {
                return TxDrop.HeadersUnparsable;
            }
            if (isGso)
            {
                bool v6 = gso.GsoType == (byte)XenNetifGsoType.TcpV6;
                if (headers.Protocol != PacketHeaders.ProtocolTcp || headers.IsIPv6 != v6)
                {
                    return TxDrop.GsoTypeMismatch;
                }
                if (gso.GsoSize > NetifLimits.MaxTxSize - headers.HeaderLength)
                {
                    return TxDrop.GsoSizeOutOfRange;
                }
                if (!csumBlank)
                {
                    PseudoHeaderChecksumWrite(copy, headers, total);
                }
                h.GsoType = v6 ? VirtioNetHdr.GsoTcpV6 : VirtioNetHdr.GsoTcpV4;
                h.GsoSize = gso.GsoSize;
                h.HdrLen = (ushort)headers.HeaderLength;
            }
            h.Flags = VirtioNetHdr.FlagNeedsCsum;
            h.CsumStart = (ushort)headers.TransportOffset;
            h.CsumOffset = (ushort)headers.ChecksumOffset;
        }
        else if ((flags & NetTxFlags.DataValidated) != 0)
        {
            h.Flags = VirtioNetHdr.FlagDataValid;
        }
        return TxDrop.None;
    }

    /// <summary>The daemon's DataPath/PseudoHeaderChecksum.Write.</summary>
    private static void PseudoHeaderChecksumWrite(Span<byte> frame, in PacketHeaders headers, int total)
    {
        uint sum = 0;
        int n = headers.NetworkOffset;
        ReadOnlySpan<byte> addresses = headers.IsIPv6 ? frame.Slice(n + 8, 32) : frame.Slice(n + 12, 8);
        for (int i = 0; i < addresses.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(addresses[i..]);
        }
        uint l4Length = (uint)(total - headers.TransportOffset);
        sum += headers.Protocol;
        sum += l4Length >> 16;
        sum += l4Length & 0xFFFF;
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame[(headers.TransportOffset + headers.ChecksumOffset)..], (ushort)sum);
    }
}
