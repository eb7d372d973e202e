using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Ring.Shared.Offload;

namespace Netback.Benchmarks;

/// <summary>
/// PacketHeaders.TryParse, run on every checksum-offloaded or GSO packet to find csum_start and
/// hdr_len: an IPv4/TCP frame, a VLAN-tagged one, and an IPv6/UDP one.
/// </summary>
[MemoryDiagnoser]
public class PacketHeadersBenchmarks
{
    private readonly byte[] _tcp4 = Frame(ipv6: false, vlan: false, tcp: true);
    private readonly byte[] _tcp4Vlan = Frame(ipv6: false, vlan: true, tcp: true);
    private readonly byte[] _udp6 = Frame(ipv6: true, vlan: false, tcp: false);

    [Benchmark(Baseline = true)]
    public int Ipv4Tcp() => PacketHeaders.TryParse(_tcp4, out PacketHeaders h) ? h.HeaderLength : -1;

    [Benchmark]
    public int Ipv4TcpVlan() => PacketHeaders.TryParse(_tcp4Vlan, out PacketHeaders h) ? h.HeaderLength : -1;

    [Benchmark]
    public int Ipv6Udp() => PacketHeaders.TryParse(_udp6, out PacketHeaders h) ? h.HeaderLength : -1;

    /// <summary>A 1514-byte frame with valid-looking headers; the payload is zeros.</summary>
    private static byte[] Frame(bool ipv6, bool vlan, bool tcp)
    {
        var f = new byte[1514];
        int o = 12;
        if (vlan)
        {
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(o), 0x8100);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(o + 2), 42);
            o += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(o), ipv6 ? (ushort)0x86DD : (ushort)0x0800);
        o += 2;
        byte protocol = tcp ? (byte)6 : (byte)17;
        if (ipv6)
        {
            f[o] = 0x60;
            f[o + 6] = protocol;
            o += 40;
        }
        else
        {
            f[o] = 0x45;
            f[o + 9] = protocol;
            o += 20;
        }
        if (tcp)
        {
            f[o + 12] = 0x80; // data offset 8 words: 20 bytes + 12 of options, as Linux sends
        }
        return f;
    }
}
