using System.Buffers.Binary;
using Netback.Tests.Support;
using Ring.Shared.Abi;
using Ring.Shared.Offload;
using Ring.Shared.Rings;

namespace Netback.Tests.Shared.Offload;

/// <summary>
/// Xen → virtio_net_hdr (<see cref="NetifOffload.ToVirtio"/>), on both rings: the TX ring is
/// netback's guest TX (a frontend's frame written to the vif's TAP, the daemon's VifQueue.TxWrite),
/// the RX ring netfront's guest RX (a received frame written to the guest TAP, what
/// <c>netfront attach</c> did with VirtioOffload.TryToVirtio).
/// </summary>
public sealed class NetifOffloadToVirtioTests
{
    private const byte Tcp = PacketHeaders.ProtocolTcp;
    private const byte Udp = PacketHeaders.ProtocolUdp;

    private static FrameOffload Blank(XenNetifGsoType gso = XenNetifGsoType.None, ushort size = 0) => new(true, true, gso, size);

    private static NetifOffloadResult Map(FrameOffload offload, byte[] frame, RingKind ring, out VirtioNetHdr vnet) =>
        NetifOffload.ToVirtio(offload, frame, ring, out vnet, out _);

    private static byte[] WithVlan(byte[] frame)
    {
        var f = new byte[frame.Length + 4];
        frame.AsSpan(0, 12).CopyTo(f);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(14), 7);
        frame.AsSpan(12).CopyTo(f.AsSpan(16));
        return f;
    }

    private static byte[] Arp()
    {
        var f = new byte[60];
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0806);
        return f;
    }

    // ---- Both rings: what netback and netfront agree on ----

    [Theory]
    [InlineData(RingKind.Tx, false, Tcp, 16)]
    [InlineData(RingKind.Tx, false, Udp, 6)]
    [InlineData(RingKind.Tx, true, Tcp, 16)]
    [InlineData(RingKind.Tx, true, Udp, 6)]
    [InlineData(RingKind.Rx, false, Tcp, 16)]
    [InlineData(RingKind.Rx, true, Udp, 6)]
    public void Csum_blank_becomes_needs_csum_at_the_transport_header(RingKind ring, bool ipv6, byte protocol, int csumOffset)
    {
        byte[] frame = TestPackets.Build(300, ipv6, protocol);
        // data_validated beside csum_blank adds nothing: NEEDS_CSUM alone, as both did.
        Assert.Equal(NetifOffloadResult.Mapped, Map(Blank(), frame, ring, out var vnet));
        Assert.Equal(new VirtioNetHdr { Flags = VirtioNetHdr.FlagNeedsCsum, CsumStart = (ushort)TestPackets.TransportOffset(ipv6), CsumOffset = (ushort)csumOffset }, vnet);
        Assert.Equal(NetifOffloadResult.Mapped, Map(new FrameOffload(true, false, XenNetifGsoType.None, 0), frame, ring, out var alone));
        Assert.Equal(vnet, alone);
        // Behind a VLAN tag the offsets move with it.
        Assert.Equal(NetifOffloadResult.Mapped, Map(Blank(), WithVlan(frame), ring, out vnet));
        Assert.Equal(TestPackets.TransportOffset(ipv6) + 4, vnet.CsumStart);
    }

    [Theory]
    [InlineData(RingKind.Tx)]
    [InlineData(RingKind.Rx)]
    public void Data_validated_alone_is_data_valid_and_nothing_is_nothing_with_the_headers_unread(RingKind ring)
    {
        byte[] arp = Arp(); // not parsable: proves it is not parsed
        Assert.Equal(NetifOffloadResult.Mapped, Map(new FrameOffload(false, true, XenNetifGsoType.None, 0), arp, ring, out var vnet));
        Assert.Equal(new VirtioNetHdr { Flags = VirtioNetHdr.FlagDataValid }, vnet);
        Assert.Equal(NetifOffloadResult.Mapped, Map(FrameOffload.None, [], ring, out vnet));
        Assert.Equal(default, vnet);
    }

    [Theory]
    [InlineData(RingKind.Tx, false)]
    [InlineData(RingKind.Tx, true)]
    [InlineData(RingKind.Rx, false)]
    [InlineData(RingKind.Rx, true)]
    public void A_gso_frame_with_csum_blank_gets_gso_type_size_and_hdr_len(RingKind ring, bool ipv6)
    {
        byte[] frame = TestPackets.Build(20_000, ipv6, Tcp);
        int transport = TestPackets.TransportOffset(ipv6);
        var gso = ipv6 ? XenNetifGsoType.TcpV6 : XenNetifGsoType.TcpV4;
        Assert.Equal(NetifOffloadResult.Mapped, NetifOffload.ToVirtio(Blank(gso, 1448), frame.AsSpan(0, 256), ring, out var vnet, out var headers));
        Assert.Equal(new VirtioNetHdr
        {
            Flags = VirtioNetHdr.FlagNeedsCsum,
            GsoType = ipv6 ? VirtioNetHdr.GsoTcpV6 : VirtioNetHdr.GsoTcpV4,
            GsoSize = 1448,
            HdrLen = (ushort)(transport + TestPackets.TcpLength),
            CsumStart = (ushort)transport,
            CsumOffset = 16,
        }, vnet);
        Assert.Equal((transport, transport + TestPackets.TcpLength, ipv6), (headers.TransportOffset, headers.HeaderLength, headers.IsIPv6));
    }

    [Theory]
    [InlineData(RingKind.Tx)]
    [InlineData(RingKind.Rx)]
    public void Csum_blank_or_gso_on_headers_that_do_not_parse_is_refused(RingKind ring)
    {
        byte[] v4 = TestPackets.Build(100, ipv6: false, Tcp);
        Assert.Equal(NetifOffloadResult.HeadersUnparsable, Map(Blank(), Arp(), ring, out var vnet));
        Assert.Equal(default, vnet);
        Assert.Equal(NetifOffloadResult.HeadersUnparsable, Map(Blank(), v4[..40], ring, out _)); // truncated TCP header
        Assert.Equal(NetifOffloadResult.HeadersUnparsable, Map(Blank(XenNetifGsoType.TcpV4, 1448), v4[..53], ring, out _));
        Assert.Equal(NetifOffloadResult.HeadersUnparsable, Map(Blank(), [], ring, out _));
        // What was not given is not parsed: the caller's copy bounds the headers (the daemon's 256 bytes).
        Assert.Equal(NetifOffloadResult.Mapped, Map(Blank(), v4[..54], ring, out _));
    }

    [Theory]
    [InlineData(RingKind.Tx, false, Tcp, XenNetifGsoType.TcpV6)]
    [InlineData(RingKind.Tx, true, Tcp, XenNetifGsoType.TcpV4)]
    [InlineData(RingKind.Tx, false, Udp, XenNetifGsoType.TcpV4)]
    [InlineData(RingKind.Tx, true, Udp, XenNetifGsoType.TcpV6)]
    [InlineData(RingKind.Rx, false, Tcp, XenNetifGsoType.TcpV6)]
    [InlineData(RingKind.Rx, true, Tcp, XenNetifGsoType.TcpV4)]
    [InlineData(RingKind.Rx, false, Udp, XenNetifGsoType.TcpV4)]
    public void A_gso_type_that_is_not_the_frame_s_is_refused(RingKind ring, bool ipv6, byte protocol, XenNetifGsoType gso)
    {
        Assert.Equal(NetifOffloadResult.GsoTypeMismatch, Map(Blank(gso, 1400), TestPackets.Build(3000, ipv6, protocol), ring, out var vnet));
        Assert.Equal(default, vnet);
    }

    [Fact]
    public void A_gso_type_xen_does_not_define_is_refused()
    {
        // Unreachable from either ring reader (netback: fatal, netfront: a bad extra), refused all the same.
        byte[] v4 = TestPackets.Build(3000, ipv6: false, Tcp);
        Assert.Equal(NetifOffloadResult.GsoTypeMismatch, Map(Blank((XenNetifGsoType)3, 1400), v4, RingKind.Tx, out _));
        Assert.Equal(NetifOffloadResult.GsoTypeMismatch, Map(Blank((XenNetifGsoType)3, 1400), v4, RingKind.Rx, out _));
    }

    // ---- Guest TX (netback) ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tx_gso_size_is_bounded_by_65535_minus_the_headers(bool ipv6)
    {
        byte[] frame = TestPackets.Build(3000, ipv6, Tcp);
        int largest = NetifLimits.MaxTxSize - (TestPackets.TransportOffset(ipv6) + TestPackets.TcpLength);
        var gso = ipv6 ? XenNetifGsoType.TcpV6 : XenNetifGsoType.TcpV4;
        Assert.Equal(NetifOffloadResult.Mapped, Map(Blank(gso, (ushort)largest), frame, RingKind.Tx, out var vnet));
        Assert.Equal(largest, vnet.GsoSize);
        Assert.Equal(NetifOffloadResult.GsoSizeOutOfRange, Map(Blank(gso, (ushort)(largest + 1)), frame, RingKind.Tx, out vnet));
        Assert.Equal(default, vnet);
        Assert.Equal(NetifOffloadResult.GsoSizeOutOfRange, Map(Blank(gso, ushort.MaxValue), frame, RingKind.Tx, out _));
        // The type is checked first: a wrong type with a wrong size is a type mismatch.
        var other = ipv6 ? XenNetifGsoType.TcpV4 : XenNetifGsoType.TcpV6;
        Assert.Equal(NetifOffloadResult.GsoTypeMismatch, Map(Blank(other, ushort.MaxValue), frame, RingKind.Tx, out _));
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Tx_gso_without_csum_blank_needs_the_pseudo_header_sum_and_is_otherwise_complete(bool ipv6, bool dataValidated)
    {
        byte[] frame = TestPackets.Build(20_000, ipv6, Tcp);
        int transport = TestPackets.TransportOffset(ipv6);
        var offload = new FrameOffload(false, dataValidated, ipv6 ? XenNetifGsoType.TcpV6 : XenNetifGsoType.TcpV4, 1448);
        Assert.Equal(NetifOffloadResult.NeedsPseudoHeaderChecksum,
            NetifOffload.ToVirtio(offload, frame.AsSpan(0, 256), RingKind.Tx, out var vnet, out var headers));
        // The same header as with csum_blank: NEEDS_CSUM (the kernel segments only partial checksums).
        NetifOffload.ToVirtio(offload with { CsumBlank = true }, frame.AsSpan(0, 256), RingKind.Tx, out var blank, out _);
        Assert.Equal(blank, vnet);
        Assert.Equal(VirtioNetHdr.FlagNeedsCsum, vnet.Flags);
        Assert.Equal((transport, TestPackets.TcpLength + transport), (headers.TransportOffset, headers.HeaderLength));
        // Its checks still come first.
        Assert.Equal(NetifOffloadResult.HeadersUnparsable, Map(offload, Arp(), RingKind.Tx, out _));
        Assert.Equal(NetifOffloadResult.GsoTypeMismatch, Map(offload with { GsoType = ipv6 ? XenNetifGsoType.TcpV4 : XenNetifGsoType.TcpV6 }, frame, RingKind.Tx, out _));
        Assert.Equal(NetifOffloadResult.GsoSizeOutOfRange, Map(offload with { GsoSize = ushort.MaxValue }, frame, RingKind.Tx, out _));
    }

    // ---- Guest RX (netfront) ----

    [Fact]
    public void Rx_gso_without_csum_blank_is_refused_unread()
    {
        byte[] v4 = TestPackets.Build(100, ipv6: false, Tcp);
        Assert.Equal(NetifOffloadResult.GsoWithoutCsumBlank, Map(new FrameOffload(false, true, XenNetifGsoType.TcpV4, 1448), v4, RingKind.Rx, out var vnet));
        Assert.Equal(default, vnet);
        Assert.Equal(NetifOffloadResult.GsoWithoutCsumBlank, Map(new FrameOffload(false, false, XenNetifGsoType.TcpV6, 1428), Arp(), RingKind.Rx, out _));
    }

    [Fact]
    public void Rx_gso_size_has_no_bound()
    {
        byte[] frame = TestPackets.Build(3000, ipv6: false, Tcp);
        Assert.Equal(NetifOffloadResult.Mapped, Map(Blank(XenNetifGsoType.TcpV4, ushort.MaxValue), frame, RingKind.Rx, out var vnet));
        Assert.Equal(ushort.MaxValue, vnet.GsoSize);
    }
}
