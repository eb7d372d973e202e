using System.Buffers.Binary;
using Netback.Tests.Support;
using Ring.Shared.Offload;

namespace Netback.Tests.Shared.Offload;

/// <summary>
/// <see cref="NetifOffload.WritePseudoHeaderChecksum"/> (netback's <c>recalculate_partial_csum</c>):
/// the checksum field gets the folded, uncomplemented pseudo-header sum, so that a device completing
/// it over the L4 bytes, as NEEDS_CSUM asks, arrives at the real checksum. Nothing else is written.
/// </summary>
public sealed class PseudoHeaderChecksumTests
{
    [Fact]
    public void Ipv4_tcp_gets_the_sum_of_addresses_protocol_and_l4_length()
    {
        const int total = 20_000;
        byte[] frame = TestPackets.Build(total, ipv6: false, PacketHeaders.ProtocolTcp);
        Assert.True(PacketHeaders.TryParse(frame, out var headers));
        byte[] before = (byte[])frame.Clone();
        NetifOffload.WritePseudoHeaderChecksum(frame.AsSpan(0, 256), headers, total);
        // 10.0.0.2 → 10.0.0.1, TCP, L4 length total - 34: the folded, uncomplemented sum.
        uint sum = 0x0a00 + 0x0002 + 0x0a00 + 0x0001 + 6 + (uint)(total - 34);
        sum = (sum & 0xFFFF) + (sum >> 16);
        Assert.Equal((ushort)sum, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(34 + 16)));
        frame.AsSpan(34 + 16, 2).CopyTo(before.AsSpan(34 + 16));
        Assert.Equal(before, frame); // only the checksum field changed
    }

    [Theory]
    [InlineData(false, PacketHeaders.ProtocolTcp, 1500)]
    [InlineData(false, PacketHeaders.ProtocolUdp, 999)]
    [InlineData(true, PacketHeaders.ProtocolTcp, 9000)]
    [InlineData(true, PacketHeaders.ProtocolUdp, 65_000)]
    public void Completing_the_partial_sum_over_the_l4_bytes_gives_the_real_checksum(bool ipv6, byte protocol, int total)
    {
        byte[] frame = TestPackets.Build(total, ipv6, protocol);
        Assert.True(PacketHeaders.TryParse(frame, out var headers));
        int field = headers.TransportOffset + headers.ChecksumOffset;
        // The real checksum, by the textbook: pseudo-header and L4 bytes with the field zero, complemented.
        frame.AsSpan(field, 2).Clear();
        ReadOnlySpan<byte> l4 = frame.AsSpan(headers.TransportOffset);
        ReadOnlySpan<byte> addresses = ipv6 ? frame.AsSpan(headers.NetworkOffset + 8, 32) : frame.AsSpan(headers.NetworkOffset + 12, 8);
        ulong pseudo = Sum(addresses) + protocol + (uint)l4.Length;
        ushort real = (ushort)~Fold(pseudo + Sum(l4));

        NetifOffload.WritePseudoHeaderChecksum(frame, headers, total);
        // What the device does for NEEDS_CSUM: sum from csum_start to the end, complement, store.
        ushort completed = (ushort)~Fold(Sum(frame.AsSpan(headers.TransportOffset)));
        Assert.Equal(real, completed);
    }

    private static ulong Sum(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if (data.Length % 2 == 1)
        {
            sum += (ulong)data[^1] << 8;
        }
        return sum;
    }

    private static ushort Fold(ulong sum)
    {
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)sum;
    }
}
