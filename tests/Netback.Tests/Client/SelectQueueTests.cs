using System.Buffers.Binary;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary><see cref="NetfrontDevice.SelectQueue(ReadOnlySpan{byte}, int)"/>: same flow → same queue, flows spread evenly.</summary>
public sealed class SelectQueueTests(ITestOutputHelper output)
{
    private static byte[] Ipv4(uint src, uint dst, byte protocol, ushort sport, ushort dport, int payload = 20, bool vlan = false)
    {
        int l2 = vlan ? 18 : 14;
        var f = new byte[l2 + 20 + 20 + payload];
        if (vlan)
        {
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x8100);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(14), 42);
        }
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l2 - 2), 0x0800);
        f[l2] = 0x45;
        f[l2 + 9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(l2 + 12), src);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(l2 + 16), dst);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l2 + 20), sport);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l2 + 22), dport);
        f[l2 + 32] = 0x50; // TCP data offset 5 (ignored for UDP)
        for (int i = l2 + 40; i < f.Length; i++)
        {
            f[i] = (byte)(i * 31 + payload);
        }
        return f;
    }

    private static byte[] Ipv6Udp(ulong srcLow, ushort sport, ushort dport)
    {
        var f = new byte[14 + 40 + 8 + 32];
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x86DD);
        f[14] = 0x60;
        f[14 + 6] = 17;
        f[14 + 8] = 0xfd;
        BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(14 + 16), srcLow);
        f[14 + 24] = 0xfd;
        f[14 + 39] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(54), sport);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(56), dport);
        return f;
    }

    [Fact]
    public void Every_frame_of_a_flow_goes_to_the_same_queue()
    {
        for (ushort port = 1000; port < 1200; port++)
        {
            int q = NetfrontDevice.SelectQueue(Ipv4(0x0A000002, 0x0A000001, 6, port, 5201, payload: 20), 4);
            Assert.Equal(q, NetfrontDevice.SelectQueue(Ipv4(0x0A000002, 0x0A000001, 6, port, 5201, payload: 1400), 4));
            Assert.Equal(q, NetfrontDevice.SelectQueue(Ipv4(0x0A000002, 0x0A000001, 6, port, 5201, payload: 0), 4));
            Assert.InRange(q, 0, 3);
        }
    }

    [Fact]
    public void Non_ip_frames_and_one_queue_give_queue_0()
    {
        var arp = new byte[42];
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(12), 0x0806);
        Assert.Equal(0, NetfrontDevice.SelectQueue(arp, 8));
        Assert.Equal(0, NetfrontDevice.SelectQueue(new byte[10], 8));
        Assert.Equal(0, NetfrontDevice.SelectQueue(Ipv4(1, 2, 6, 3, 4), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NetfrontDevice.SelectQueue(arp, 0));
    }

    public static TheoryData<string, int> Kinds() => new()
    {
        { "tcp4", 2 }, { "tcp4", 3 }, { "tcp4", 4 }, { "udp6", 4 }, { "vlan-tcp4", 8 }, { "icmp4", 4 },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Many_flows_spread_evenly_over_the_queues(string kind, int queues)
    {
        const int flows = 8000;
        var counts = new int[queues];
        var random = new Random(1234);
        for (int i = 0; i < flows; i++)
        {
            ushort sport = (ushort)random.Next(1024, 65536);
            uint src = 0x0A000000u | (uint)random.Next(1, 1 << 16);
            byte[] frame = kind switch
            {
                "tcp4" => Ipv4(0x0A000002, 0x0A000001, 6, sport, 5201),
                "vlan-tcp4" => Ipv4(src, 0x0A000001, 6, sport, 80, vlan: true),
                "udp6" => Ipv6Udp((ulong)random.NextInt64(), sport, 53),
                _ => Ipv4(src, 0x0A000001, 1, 0, 0), // ICMP: addresses only
            };
            counts[NetfrontDevice.SelectQueue(frame, queues)]++;
        }
        output.WriteLine($"{kind} over {queues} queues: {string.Join(' ', counts)}");
        double expected = (double)flows / queues;
        foreach (int c in counts)
        {
            Assert.InRange(c, (int)(expected * 0.85), (int)(expected * 1.15));
        }
    }
}
