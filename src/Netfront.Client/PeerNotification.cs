using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Netfront.Client;

/// <summary>
/// What a guest sends after its vif comes back, as xen-netfront does on resume
/// (<c>netdev_notify_peers</c>): a gratuitous ARP for each IPv4 address and an unsolicited
/// neighbour advertisement for each IPv6 one, so a bridge relearns the guest's MAC on the new port
/// and neighbours update their caches at once instead of when their entries expire.
/// The frames are built here; a consumer with a netdev sends them out of it (<c>netfront attach</c>:
/// out of the guest TAP, through its relay), one without (a userspace guest) transmits them itself.
/// </summary>
public static class PeerNotification
{
    /// <summary>Length of <see cref="GratuitousArp"/>'s frame (no padding, as the kernel's arp_create).</summary>
    public const int ArpFrameLength = 14 + 28;

    /// <summary>Length of <see cref="UnsolicitedNeighbourAdvertisement"/>'s frame.</summary>
    public const int NaFrameLength = 14 + 40 + 32;

    private static readonly byte[] AllNodes = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

    /// <summary>One frame per address, in order: a gratuitous ARP for IPv4, an unsolicited NA for IPv6.</summary>
    public static IReadOnlyList<byte[]> Frames(PhysicalAddress mac, IEnumerable<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var frames = new List<byte[]>();
        foreach (var address in addresses)
        {
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                frames.Add(GratuitousArp(mac, address));
            }
            else if (address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv6Multicast)
            {
                frames.Add(UnsolicitedNeighbourAdvertisement(mac, address));
            }
        }
        return frames;
    }

    /// <summary>
    /// An ARP request for <paramref name="ipv4"/> by itself (sender and target address both
    /// <paramref name="ipv4"/>, target MAC zero), broadcast: Linux's inetdev_send_gratuitous_arp.
    /// </summary>
    public static byte[] GratuitousArp(PhysicalAddress mac, IPAddress ipv4)
    {
        byte[] hw = MacBytes(mac);
        if (ipv4.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("a gratuitous ARP is for an IPv4 address", nameof(ipv4));
        }
        byte[] ip = ipv4.GetAddressBytes();
        var f = new byte[ArpFrameLength];
        f.AsSpan(0, 6).Fill(0xff);
        hw.CopyTo(f, 6);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0806);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(14), 1);      // htype Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 0x0800); // ptype IPv4
        f[18] = 6;
        f[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(20), 1);      // request
        hw.CopyTo(f, 22);
        ip.CopyTo(f, 28);
        ip.CopyTo(f, 38);                                           // target MAC (32..37) stays zero
        return f;
    }

    /// <summary>
    /// An unsolicited neighbour advertisement for <paramref name="ipv6"/> to all nodes (ff02::1),
    /// from the address itself, Override set, Solicited clear, with the target link-layer address
    /// option: Linux's ndisc_send_unsol_na.
    /// </summary>
    public static byte[] UnsolicitedNeighbourAdvertisement(PhysicalAddress mac, IPAddress ipv6)
    {
        byte[] hw = MacBytes(mac);
        if (ipv6.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException("a neighbour advertisement is for an IPv6 address", nameof(ipv6));
        }
        byte[] ip = ipv6.GetAddressBytes();
        var f = new byte[NaFrameLength];
        f[0] = 0x33;
        f[1] = 0x33;
        f[5] = 1;                                                   // 33:33:00:00:00:01
        hw.CopyTo(f, 6);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x86dd);
        var ipv6Header = f.AsSpan(14, 40);
        ipv6Header[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ipv6Header[4..], 32); // payload length
        ipv6Header[6] = 58;                                         // ICMPv6
        ipv6Header[7] = 255;                                        // hop limit, as NDP requires
        ip.CopyTo(ipv6Header[8..]);
        AllNodes.CopyTo(ipv6Header[24..]);
        var icmp = f.AsSpan(54, 32);
        icmp[0] = 136;                                              // neighbour advertisement
        icmp[4] = 0x20;                                             // Override
        ip.CopyTo(icmp[8..]);
        icmp[24] = 2;                                               // target link-layer address
        icmp[25] = 1;                                               // 8 bytes
        hw.CopyTo(icmp[26..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Icmpv6Checksum(ip, AllNodes, icmp));
        return f;
    }

    /// <summary>The ICMPv6 checksum over the pseudo-header (RFC 8200 §8.1) and the message.</summary>
    internal static ushort Icmpv6Checksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> message)
    {
        ulong sum = Sum(source) + Sum(destination) + (uint)message.Length + 58;
        sum += Sum(message);
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (ushort)~sum;
    }

    private static ulong Sum(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | data[i + 1]);
        }
        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }
        return sum;
    }

    private static byte[] MacBytes(PhysicalAddress mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        byte[] hw = mac.GetAddressBytes();
        return hw.Length == 6 ? hw : throw new ArgumentException("an Ethernet MAC has 6 bytes", nameof(mac));
    }
}
