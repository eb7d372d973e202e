using System.Buffers.Binary;
using Ring.Shared.Offload;

namespace Netback.Daemon.DataPath;

/// <summary>
/// Puts the TCP/UDP pseudo-header sum into the checksum field, as Linux's <c>skb_checksum_setup</c>
/// does with <c>recalculate</c> set: that is what a partial checksum (NEEDS_CSUM) must hold for the
/// kernel to complete it or to segment the frame. Only ever applied to the backend's private copy.
/// </summary>
internal static class PseudoHeaderChecksum
{
    /// <param name="frame">The frame's first bytes, holding at least <see cref="PacketHeaders.HeaderLength"/>.</param>
    /// <param name="headers">What <see cref="PacketHeaders.TryParse"/> found in <paramref name="frame"/>.</param>
    /// <param name="total">The whole frame's length (the L4 length counts the payload beyond the copy).</param>
    public static void Write(Span<byte> frame, in PacketHeaders headers, int total)
    {
        uint sum = 0;
        int n = headers.NetworkOffset;
        // Source and destination addresses: IPv4 bytes 12..19, IPv6 bytes 8..39.
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
        // Not complemented: the device (or GSO) adds the data and complements at the end.
        BinaryPrimitives.WriteUInt16BigEndian(frame[(headers.TransportOffset + headers.ChecksumOffset)..], (ushort)sum);
    }
}
