using System.Buffers.Binary;

namespace Netback.Tests.Support;

/// <summary>
/// Well-formed Ethernet/IPv4-or-IPv6/TCP-or-UDP frames for the offload tests: headers a parser
/// accepts (IPv4 34 + TCP 20 = 54 bytes of headers, IPv6 54 + 20 = 74), a payload whose every
/// byte depends on its position and <c>marker</c>.
/// </summary>
internal static class TestPackets
{
    public const int EthLength = 14;
    public const int Ipv4Length = 20;
    public const int Ipv6Length = 40;
    public const int TcpLength = 20;
    public const int UdpLength = 8;

    public static byte[] Build(int total, bool ipv6, byte protocol, byte marker = 0x5a)
    {
        var f = new byte[total];
        for (int i = 0; i < total; i++)
        {
            f[i] = (byte)(marker + i * 13);
        }
        f.AsSpan(0, 6).Fill(0x02);              // destination
        f.AsSpan(6, 6).Fill(0x04);              // source
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), ipv6 ? (ushort)0x86DD : (ushort)0x0800);
        int ip = EthLength;
        int l4;
        if (ipv6)
        {
            f.AsSpan(ip, Ipv6Length).Clear();
            f[ip] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(ip + 4), (ushort)(total - ip - Ipv6Length));
            f[ip + 6] = protocol;
            f[ip + 7] = 64;
            f[ip + 8] = 0xfd;                   // fd00::1 → fd00::2
            f[ip + 23] = 1;
            f[ip + 24] = 0xfd;
            f[ip + 39] = 2;
            l4 = ip + Ipv6Length;
        }
        else
        {
            f.AsSpan(ip, Ipv4Length).Clear();
            f[ip] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(ip + 2), (ushort)Math.Min(total - ip, 0xFFFF));
            f[ip + 6] = 0x40;                   // DF
            f[ip + 8] = 64;
            f[ip + 9] = protocol;
            new byte[] { 10, 0, 0, 2 }.CopyTo(f.AsSpan(ip + 12));
            new byte[] { 10, 0, 0, 1 }.CopyTo(f.AsSpan(ip + 16));
            l4 = ip + Ipv4Length;
        }
        if (protocol == 6)
        {
            f.AsSpan(l4, TcpLength).Clear();
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4), 40000);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4 + 2), 5201);
            f[l4 + 12] = 5 << 4;                // data offset: 20 bytes
            f[l4 + 13] = 0x18;                  // PSH ACK
        }
        else
        {
            f.AsSpan(l4, UdpLength).Clear();
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4), 40000);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4 + 2), 5201);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4 + 4), (ushort)Math.Min(total - l4, 0xFFFF));
        }
        return f;
    }

    /// <summary>Where the L4 header starts (csum_start) for a frame from <see cref="Build"/>.</summary>
    public static int TransportOffset(bool ipv6) => EthLength + (ipv6 ? Ipv6Length : Ipv4Length);
}
