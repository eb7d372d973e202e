using System.Buffers.Binary;
using System.Net;

namespace Netback.Tests.Daemon;

/// <summary>Hand-built Ethernet frames for the anti-spoofing tests (headers only; checksums left 0).</summary>
internal static class TestFrames
{
    public static readonly byte[] VifMac = [0x00, 0x16, 0x3e, 0x01, 0x02, 0x03];
    public static readonly byte[] OtherMac = [0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c];
    public static readonly byte[] Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    /// <summary>fe80::216:3eff:fe01:203, the EUI-64 link-local of <see cref="VifMac"/>.</summary>
    public static readonly IPAddress VifLinkLocal = IPAddress.Parse("fe80::216:3eff:fe01:203");

    public static byte[] Ethernet(byte[] source, ushort etherType, byte[] payload, params ushort[] vlanTpids)
    {
        var frame = new byte[14 + 4 * vlanTpids.Length + payload.Length];
        Broadcast.CopyTo(frame, 0);
        source.CopyTo(frame, 6);
        int o = 12;
        foreach (ushort tpid in vlanTpids)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(o), tpid);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(o + 2), 7); // VID 7
            o += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(o), etherType);
        payload.CopyTo(frame, o + 2);
        return frame;
    }

    public static byte[] Ipv4(string source, byte protocol = 6, ushort sourcePort = 40000, ushort destPort = 5201, byte[]? mac = null, ushort fragment = 0)
    {
        var ip = new byte[20 + 8];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), fragment);
        ip[8] = 64;
        ip[9] = protocol;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(ip, 12);
        IPAddress.Parse("10.0.0.1").GetAddressBytes().CopyTo(ip, 16);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(20), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(22), destPort);
        return Ethernet(mac ?? VifMac, 0x0800, ip);
    }

    public static byte[] Arp(byte[] senderMac, string senderIp, byte[]? ethSource = null, ushort op = 1)
    {
        var arp = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(2), 0x0800);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(6), op);
        senderMac.CopyTo(arp, 8);
        IPAddress.Parse(senderIp).GetAddressBytes().CopyTo(arp, 14);
        IPAddress.Parse("10.0.0.1").GetAddressBytes().CopyTo(arp, 24);
        return Ethernet(ethSource ?? VifMac, 0x0806, arp);
    }

    /// <summary>IPv6 with an ICMPv6 message (<paramref name="icmp"/>: type, code, checksum, body…).</summary>
    public static byte[] Ipv6(string source, byte nextHeader, byte[] upper, byte[]? extension = null)
    {
        var ip = new byte[40 + (extension?.Length ?? 0) + upper.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)(ip.Length - 40));
        ip[6] = extension is null ? nextHeader : (byte)0; // hop-by-hop first when given
        ip[7] = 255;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(ip, 8);
        IPAddress.Parse("ff02::1").GetAddressBytes().CopyTo(ip, 24);
        if (extension is not null)
        {
            extension.CopyTo(ip, 40);
            ip[40] = nextHeader;
        }
        upper.CopyTo(ip, 40 + (extension?.Length ?? 0));
        return Ethernet(VifMac, 0x86dd, ip);
    }

    /// <summary>NS (135) or NA (136) for <paramref name="target"/>, with an optional link-layer option (type 1 or 2).</summary>
    public static byte[] Ndp(byte type, string target, byte optionType = 0, byte[]? optionMac = null)
    {
        var m = new byte[24 + (optionType != 0 ? 8 : 0)];
        m[0] = type;
        IPAddress.Parse(target).GetAddressBytes().CopyTo(m, 8);
        if (optionType != 0)
        {
            m[24] = optionType;
            m[25] = 1;
            (optionMac ?? VifMac).CopyTo(m, 26);
        }
        return m;
    }

    /// <summary>Router solicitation (133) or another 8-byte-header ICMPv6 message, with an optional SLLA.</summary>
    public static byte[] Icmpv6(byte type, byte[]? sourceLinkAddress = null)
    {
        var m = new byte[8 + (sourceLinkAddress is null ? 0 : 8)];
        m[0] = type;
        if (sourceLinkAddress is not null)
        {
            m[8] = 1;
            m[9] = 1;
            sourceLinkAddress.CopyTo(m, 10);
        }
        return m;
    }
}
