using System.Buffers.Binary;

namespace Ring.Shared.Offload;

/// <summary>
/// Where the headers of an Ethernet frame are, found the way Linux's <c>skb_checksum_setup</c> does
/// for netback and netfront: Xen carries only "checksum blank" and the GSO type/size over the ring,
/// so each side derives <c>csum_start</c>, <c>csum_offset</c> and the GSO header length itself.
/// Every read is bounds-checked: the input may be a hostile frontend's.
/// </summary>
public readonly struct PacketHeaders
{
    public const byte ProtocolTcp = 6;
    public const byte ProtocolUdp = 17;

    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;
    private const int Ipv6HeaderLength = 40;
    /// <summary>IPv6 extension headers skipped before giving up (Linux walks a similar short chain).</summary>
    private const int MaxIpv6Extensions = 4;

    /// <summary>Offset of the IP header (14, or 18/22 behind VLAN tags).</summary>
    public int NetworkOffset { get; init; }

    public bool IsIPv6 { get; init; }

    /// <summary>IPPROTO_TCP or IPPROTO_UDP.</summary>
    public byte Protocol { get; init; }

    /// <summary>Offset of the TCP/UDP header: the checksum's <c>csum_start</c>.</summary>
    public int TransportOffset { get; init; }

    /// <summary>Bytes up to the end of the TCP/UDP header: the GSO <c>hdr_len</c>.</summary>
    public int HeaderLength { get; init; }

    /// <summary>The checksum field's offset within the transport header: 16 for TCP, 6 for UDP.</summary>
    public int ChecksumOffset => Protocol == ProtocolTcp ? 16 : 6;

    /// <summary>
    /// Parses Ethernet (with up to two VLAN tags), IPv4 or IPv6 (skipping hop-by-hop, routing and
    /// destination-options headers) and a TCP or UDP header. False for anything else: other
    /// protocols, IP fragments, and headers that are truncated or inconsistent.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out PacketHeaders headers)
    {
        headers = default;
        int offset = 12;
        if (frame.Length < offset + 2)
        {
            return false;
        }
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        for (int tags = 0; tags < 2 && etherType is EtherTypeVlan or EtherTypeQinQ; tags++)
        {
            offset += 4;
            if (frame.Length < offset + 2)
            {
                return false;
            }
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        }
        int network = offset + 2;
        byte protocol;
        int transport;
        bool ipv6;
        if (etherType == EtherTypeIPv4)
        {
            if (frame.Length < network + 20 || frame[network] >> 4 != 4)
            {
                return false;
            }
            int ihl = (frame[network] & 0xF) * 4;
            ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(frame[(network + 6)..]);
            if (ihl < 20 || (fragment & 0x3FFF) != 0) // MF set or a fragment offset: no L4 header to trust
            {
                return false;
            }
            protocol = frame[network + 9];
            transport = network + ihl;
            ipv6 = false;
        }
        else if (etherType == EtherTypeIPv6)
        {
            if (frame.Length < network + Ipv6HeaderLength || frame[network] >> 4 != 6)
            {
                return false;
            }
            protocol = frame[network + 6];
            transport = network + Ipv6HeaderLength;
            for (int i = 0; protocol is 0 or 43 or 60; i++) // hop-by-hop, routing, destination options
            {
                if (i == MaxIpv6Extensions || frame.Length < transport + 8)
                {
                    return false;
                }
                protocol = frame[transport];
                transport += (frame[transport + 1] + 1) * 8;
            }
            ipv6 = true;
        }
        else
        {
            return false;
        }

        int end;
        if (protocol == ProtocolTcp)
        {
            if (frame.Length < transport + 20)
            {
                return false;
            }
            int doff = (frame[transport + 12] >> 4) * 4;
            if (doff < 20)
            {
                return false;
            }
            end = transport + doff;
        }
        else if (protocol == ProtocolUdp)
        {
            end = transport + 8;
        }
        else
        {
            return false;
        }
        if (frame.Length < end)
        {
            return false;
        }
        headers = new PacketHeaders
        {
            NetworkOffset = network,
            IsIPv6 = ipv6,
            Protocol = protocol,
            TransportOffset = transport,
            HeaderLength = end,
        };
        return true;
    }
}
