using System.Buffers.Binary;
using System.Net;

namespace UserspaceGuest;

/// <summary>
/// The guest's whole network stack: given a received Ethernet frame, writes the answer (if any) into
/// a buffer: an ARP reply for its address, an ICMP echo reply, or the UDP datagram sent back from
/// the echo port. IPv4 only; options and fragments are answered as they come (not reassembled).
/// </summary>
internal sealed class Responder(byte[] mac, IPAddress address, int udpEchoPort)
{
    private const int Eth = 14;
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeArp = 0x0806;
    private const byte ProtocolIcmp = 1;
    private const byte ProtocolUdp = 17;

    private readonly byte[] _ip = address.GetAddressBytes();

    /// <summary>Writes the reply to <paramref name="frame"/> into <paramref name="reply"/>; its length, or 0 for none.</summary>
    public int Answer(ReadOnlySpan<byte> frame, Span<byte> reply)
    {
        if (frame.Length < Eth)
        {
            return 0;
        }
        return BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) switch
        {
            EtherTypeArp => AnswerArp(frame, reply),
            EtherTypeIPv4 => AnswerIPv4(frame, reply),
            _ => 0,
        };
    }

    /// <summary>An ARP request (htype 1, ptype IPv4, op 1) for our address gets "is-at" our MAC.</summary>
    private int AnswerArp(ReadOnlySpan<byte> frame, Span<byte> reply)
    {
        ReadOnlySpan<byte> arp = frame[Eth..];
        if (arp.Length < 28 || BinaryPrimitives.ReadUInt16BigEndian(arp) != 1 || BinaryPrimitives.ReadUInt16BigEndian(arp[2..]) != EtherTypeIPv4
            || BinaryPrimitives.ReadUInt16BigEndian(arp[6..]) != 1 || !arp.Slice(24, 4).SequenceEqual(_ip))
        {
            return 0;
        }
        int length = Eth + 28;
        frame[..length].CopyTo(reply);
        Span<byte> r = reply[Eth..];
        BinaryPrimitives.WriteUInt16BigEndian(r[6..], 2);   // op: reply
        arp.Slice(8, 10).CopyTo(r[18..]);                     // target = the asker (MAC and IP)
        mac.CopyTo(r[8..]);                                   // sender = us
        _ip.CopyTo(r[14..]);
        WriteEthernet(frame, reply);
        return length;
    }

    private int AnswerIPv4(ReadOnlySpan<byte> frame, Span<byte> reply)
    {
        ReadOnlySpan<byte> ip = frame[Eth..];
        if (ip.Length < 20 || ip[0] >> 4 != 4 || !ip.Slice(16, 4).SequenceEqual(_ip))
        {
            return 0;
        }
        int headerLength = (ip[0] & 0xF) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (headerLength < 20 || total < headerLength || total > ip.Length)
        {
            return 0;
        }
        int length = Eth + total;
        frame[..length].CopyTo(reply);
        Span<byte> rip = reply[Eth..];
        ip.Slice(12, 4).CopyTo(rip[16..]);                   // back to the sender
        _ip.CopyTo(rip[12..]);
        rip[8] = 64;                                          // a fresh TTL
        Span<byte> l4 = rip[headerLength..total];
        switch (ip[9])
        {
            case ProtocolIcmp when l4.Length >= 8 && l4[0] == 8:
                l4[0] = 0;                                    // echo request -> echo reply, same id, sequence, data
                BinaryPrimitives.WriteUInt16BigEndian(l4[2..], 0);
                BinaryPrimitives.WriteUInt16BigEndian(l4[2..], InternetChecksum.Compute(l4));
                break;
            case ProtocolUdp when l4.Length >= 8 && BinaryPrimitives.ReadUInt16BigEndian(l4[2..]) == udpEchoPort:
                // Swap the ports. The checksum stays right: the pseudo-header's addresses and the
                // ports are only swapped, and a ones'-complement sum does not depend on order.
                ushort source = BinaryPrimitives.ReadUInt16BigEndian(l4);
                BinaryPrimitives.WriteUInt16BigEndian(l4, (ushort)udpEchoPort);
                BinaryPrimitives.WriteUInt16BigEndian(l4[2..], source);
                break;
            default:
                return 0;
        }
        BinaryPrimitives.WriteUInt16BigEndian(rip[10..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(rip[10..], InternetChecksum.Compute(rip[..headerLength]));
        WriteEthernet(frame, reply);
        return length;
    }

    /// <summary>The reply goes back to whoever sent the frame, from our MAC (the backend drops any other source).</summary>
    private void WriteEthernet(ReadOnlySpan<byte> frame, Span<byte> reply)
    {
        frame.Slice(6, 6).CopyTo(reply);
        mac.CopyTo(reply[6..]);
    }
}
