using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.DataPath;

/// <summary>
/// Anti-spoofing on guest TX. Xen leaves this to the hotplug scripts (vif-common.sh's
/// <c>handle_iptable</c>: FORWARD accept per <c>ip=</c> entry plus DHCP udp 68→67); here the worker
/// checks each frame's headers, from a private copy (never shared memory, XSA-155), before the frame
/// reaches the TAP. Rules:
/// <list type="bullet">
/// <item>Always: Ethernet source = the vif's MAC; an ARP sender hardware address = the vif's MAC.</item>
/// <item>With <c>ip=</c>: IPv4 source in the list, or any UDP 68→67 (DHCP client, as Xen's rule,
///   which names no source: DISCOVER comes from 0.0.0.0). ARP sender IP in the list, or 0.0.0.0
///   (RFC 5227 probe). IPv6 source in the list or the MAC's EUI-64 link-local (fe80::/64), or ::
///   for DAD-time messages only (RS, NS, MLD reports). NS from :: (DAD) and every NA must target an
///   allowed address; source/target link-layer options must carry the vif's MAC; RA and redirect
///   are dropped (a vif with addresses is a host). Other EtherTypes pass, as Xen's IP-only rules let
///   them.</item>
/// <item>One 802.1Q/802.1ad tag is looked through; two or more are dropped (their payload would go
///   unchecked). NDP behind a fragment header is not inspected: Linux drops fragmented NDP (RFC 6980).</item>
/// </list>
/// Every read is bounds-checked against the copied prefix: a header the rules need that is cut off
/// drops the frame (<see cref="SpoofDropReason.Malformed"/>); nothing throws. No allocation.
/// </summary>
internal sealed class SpoofFilter
{
    /// <summary>Bytes of each frame the worker copies for the filter: Ethernet + VLAN + IPv6 + ext headers + NDP with options.</summary>
    public const int HeaderBytes = 256;

    private const int EthHeader = 14;
    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort EtherTypeArp = 0x0806;
    private const ushort EtherTypeIpv6 = 0x86dd;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88a8;
    private const byte IpProtoUdp = 17;
    private const byte Ipv6HopByHop = 0, Ipv6Routing = 43, Ipv6DestOpts = 60, Ipv6Icmp = 58;
    private const byte IcmpMldV1Report = 131, IcmpRs = 133, IcmpRa = 134, IcmpNs = 135, IcmpNa = 136, IcmpRedirect = 137, IcmpMldV2Report = 143;
    private const byte NdOptSourceLinkAddr = 1, NdOptTargetLinkAddr = 2;

    private readonly byte[] _mac;
    private readonly (uint Address, uint Mask)[] _ipv4;
    private readonly (UInt128 Address, UInt128 Mask)[] _ipv6;
    private readonly UInt128 _linkLocal;

    /// <param name="mac">The vif's (frontend's) MAC.</param>
    /// <param name="allowed"><c>ip=</c>: addresses or prefixes; empty means no IP checks.</param>
    public SpoofFilter(PhysicalAddress mac, IReadOnlyList<IPNetwork> allowed)
    {
        _mac = mac.GetAddressBytes();
        if (_mac.Length != 6)
        {
            throw new ArgumentException("an Ethernet MAC has 6 bytes", nameof(mac));
        }
        var v4 = new List<(uint, uint)>();
        var v6 = new List<(UInt128, UInt128)>();
        Span<byte> bytes = stackalloc byte[16];
        foreach (var network in allowed)
        {
            network.BaseAddress.TryWriteBytes(bytes, out int written);
            if (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
            {
                uint mask = network.PrefixLength == 0 ? 0 : uint.MaxValue << (32 - network.PrefixLength);
                v4.Add((BinaryPrimitives.ReadUInt32BigEndian(bytes) & mask, mask));
            }
            else if (written == 16)
            {
                UInt128 mask = network.PrefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - network.PrefixLength);
                v6.Add((BinaryPrimitives.ReadUInt128BigEndian(bytes) & mask, mask));
            }
        }
        _ipv4 = [.. v4];
        _ipv6 = [.. v6];
        ChecksAddresses = allowed.Count > 0;
        // fe80::/64 with the modified EUI-64 interface identifier (RFC 4291 appendix A).
        ReadOnlySpan<byte> ll = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, (byte)(_mac[0] ^ 0x02), _mac[1], _mac[2], 0xff, 0xfe, _mac[3], _mac[4], _mac[5]];
        _linkLocal = BinaryPrimitives.ReadUInt128BigEndian(ll);
    }

    /// <summary>Whether <c>ip=</c> was given (otherwise only the MAC rules apply).</summary>
    public bool ChecksAddresses { get; }

    /// <summary>Checks a frame from its first bytes (up to <see cref="HeaderBytes"/>, a private copy).</summary>
    public SpoofDropReason Check(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < EthHeader)
        {
            return SpoofDropReason.Malformed;
        }
        if (!frame.Slice(6, 6).SequenceEqual(_mac))
        {
            return SpoofDropReason.SourceMac;
        }
        int l3 = EthHeader;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        if (etherType is EtherTypeVlan or EtherTypeQinQ)
        {
            if (frame.Length < EthHeader + 4)
            {
                return SpoofDropReason.Malformed;
            }
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
            if (etherType is EtherTypeVlan or EtherTypeQinQ)
            {
                return SpoofDropReason.StackedVlan;
            }
            l3 += 4;
        }
        ReadOnlySpan<byte> packet = frame[l3..];
        return etherType switch
        {
            EtherTypeArp => CheckArp(packet),
            EtherTypeIpv4 when ChecksAddresses => CheckIpv4(packet),
            EtherTypeIpv6 when ChecksAddresses => CheckIpv6(packet),
            _ => SpoofDropReason.None,
        };
    }

    private SpoofDropReason CheckArp(ReadOnlySpan<byte> arp)
    {
        // htype 1 (Ethernet), ptype IPv4, hlen 6, plen 4: the only ARP with meaning on this link.
        if (arp.Length < 28 || BinaryPrimitives.ReadUInt16BigEndian(arp) != 1 ||
            BinaryPrimitives.ReadUInt16BigEndian(arp[2..]) != EtherTypeIpv4 || arp[4] != 6 || arp[5] != 4)
        {
            return SpoofDropReason.Malformed;
        }
        if (!arp.Slice(8, 6).SequenceEqual(_mac))
        {
            return SpoofDropReason.ArpSenderMac;
        }
        if (!ChecksAddresses)
        {
            return SpoofDropReason.None;
        }
        uint sender = BinaryPrimitives.ReadUInt32BigEndian(arp[14..]);
        return sender == 0 || AllowedV4(sender) ? SpoofDropReason.None : SpoofDropReason.ArpSenderIp;
    }

    private SpoofDropReason CheckIpv4(ReadOnlySpan<byte> ip)
    {
        if (ip.Length < 20 || ip[0] >> 4 != 4)
        {
            return SpoofDropReason.Malformed;
        }
        if (AllowedV4(BinaryPrimitives.ReadUInt32BigEndian(ip[12..])))
        {
            return SpoofDropReason.None;
        }
        // Xen's "-p udp --sport 68 --dport 67 -j ACCEPT": only a first fragment carries the ports.
        int ihl = (ip[0] & 0x0f) * 4;
        bool firstFragment = (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1fff) == 0;
        if (ip[9] == IpProtoUdp && firstFragment && ihl >= 20 && ip.Length >= ihl + 4 &&
            BinaryPrimitives.ReadUInt16BigEndian(ip[ihl..]) == 68 && BinaryPrimitives.ReadUInt16BigEndian(ip[(ihl + 2)..]) == 67)
        {
            return SpoofDropReason.None;
        }
        return SpoofDropReason.Ipv4Source;
    }

    private SpoofDropReason CheckIpv6(ReadOnlySpan<byte> ip)
    {
        if (ip.Length < 40 || ip[0] >> 4 != 6)
        {
            return SpoofDropReason.Malformed;
        }
        UInt128 source = BinaryPrimitives.ReadUInt128BigEndian(ip[8..]);
        bool unspecified = source == UInt128.Zero;
        if (!unspecified && !AllowedV6(source))
        {
            return SpoofDropReason.Ipv6Source;
        }

        // Walk hop-by-hop, routing and destination options to the upper layer (a fragment header or
        // anything else ends the walk: nothing of NDP to check behind it).
        byte next = ip[6];
        int offset = 40;
        for (int hops = 0; next is Ipv6HopByHop or Ipv6Routing or Ipv6DestOpts; hops++)
        {
            if (hops == 8 || ip.Length < offset + 2)
            {
                return SpoofDropReason.Malformed;
            }
            next = ip[offset];
            offset += (ip[offset + 1] + 1) * 8;
        }
        if (next != Ipv6Icmp)
        {
            return unspecified ? SpoofDropReason.Ipv6Source : SpoofDropReason.None;
        }
        if (ip.Length < offset + 8)
        {
            return SpoofDropReason.Malformed;
        }
        byte type = ip[offset];
        if (unspecified && type is not (IcmpRs or IcmpNs or IcmpMldV1Report or IcmpMldV2Report))
        {
            return SpoofDropReason.Ipv6Source;
        }
        // The ICMPv6 message ends where the IPv6 payload does; options must lie within the copy.
        int end = 40 + BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        switch (type)
        {
            case IcmpRa or IcmpRedirect:
                return SpoofDropReason.NdpRouterMessage;
            case IcmpRs:
                return CheckNdOptions(ip, offset + 8, end);
            case IcmpNs or IcmpNa:
                if (ip.Length < offset + 24)
                {
                    return SpoofDropReason.Malformed;
                }
                UInt128 target = BinaryPrimitives.ReadUInt128BigEndian(ip[(offset + 8)..]);
                // A normal NS asks about someone else's address; only DAD (from ::) claims the target.
                if ((type == IcmpNa || unspecified) && !AllowedV6(target))
                {
                    return SpoofDropReason.NdpTarget;
                }
                return CheckNdOptions(ip, offset + 24, end);
            default:
                return SpoofDropReason.None;
        }
    }

    /// <summary>Source/target link-layer address options (RFC 4861 4.6.1) must carry the vif's MAC.</summary>
    private SpoofDropReason CheckNdOptions(ReadOnlySpan<byte> ip, int offset, int end)
    {
        if (end > ip.Length)
        {
            return SpoofDropReason.Malformed; // options beyond the inspected prefix: cannot vouch for them
        }
        while (offset < end)
        {
            if (end < offset + 2 || ip[offset + 1] == 0)
            {
                return SpoofDropReason.Malformed; // a zero-length option is invalid (and would loop)
            }
            int length = ip[offset + 1] * 8;
            if (end < offset + length)
            {
                return SpoofDropReason.Malformed;
            }
            if (ip[offset] is NdOptSourceLinkAddr or NdOptTargetLinkAddr && (length != 8 || !ip.Slice(offset + 2, 6).SequenceEqual(_mac)))
            {
                return SpoofDropReason.NdpLinkLayer;
            }
            offset += length;
        }
        return SpoofDropReason.None;
    }

    private bool AllowedV4(uint address)
    {
        foreach (var (a, m) in _ipv4)
        {
            if ((address & m) == a)
            {
                return true;
            }
        }
        return false;
    }

    private bool AllowedV6(UInt128 address)
    {
        if (address == _linkLocal)
        {
            return true;
        }
        foreach (var (a, m) in _ipv6)
        {
            if ((address & m) == a)
            {
                return true;
            }
        }
        return false;
    }
}
