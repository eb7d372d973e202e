using System.Buffers.Binary;

namespace Ring.Shared.Offload;

public static partial class NetifOffload
{
    /// <summary>
    /// Puts the TCP/UDP pseudo-header sum into the checksum field, as Linux's
    /// <c>skb_checksum_setup</c> does with <c>recalculate</c> set (netback's
    /// <c>recalculate_partial_csum</c> for a GSO frame without csum_blank): that is what a partial
    /// checksum (NEEDS_CSUM) must hold for the kernel to complete it or to segment the frame. For
    /// <see cref="NetifOffloadResult.NeedsPseudoHeaderChecksum"/>; apply it only to a private copy of
    /// the headers, never to memory the other side can still write.
    /// </summary>
    /// <param name="head">The frame's first bytes, holding at least <see cref="PacketHeaders.HeaderLength"/>.</param>
    /// <param name="headers">What <see cref="PacketHeaders.TryParse"/> (or <see cref="ToVirtio"/>) found in <paramref name="head"/>.</param>
    /// <param name="frameLength">The whole frame's length (the L4 length counts the payload beyond <paramref name="head"/>).</param>
    public static void WritePseudoHeaderChecksum(Span<byte> head, in PacketHeaders headers, int frameLength)
    {
        uint sum = 0;
        int n = headers.NetworkOffset;
        // Source and destination addresses: IPv4 bytes 12..19, IPv6 bytes 8..39.
        ReadOnlySpan<byte> addresses = headers.IsIPv6 ? head.Slice(n + 8, 32) : head.Slice(n + 12, 8);
        for (int i = 0; i < addresses.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(addresses[i..]);
        }
        uint l4Length = (uint)(frameLength - headers.TransportOffset);
        sum += headers.Protocol;
        sum += l4Length >> 16;
        sum += l4Length & 0xFFFF;
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        // Not complemented: the device (or GSO) adds the data and complements at the end.
        BinaryPrimitives.WriteUInt16BigEndian(head[(headers.TransportOffset + headers.ChecksumOffset)..], (ushort)sum);
    }
}
