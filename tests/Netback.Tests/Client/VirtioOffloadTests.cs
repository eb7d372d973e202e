using System.Buffers.Binary;
using Ring.Shared.Abi;
using Ring.Shared.Offload;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>The virtio_net_hdr ↔ Xen mapping of <c>netfront attach</c> (docs/protocol.md "Offloads").</summary>
public sealed unsafe class VirtioOffloadTests
{
    private static VirtioNetHdr Vnet(byte flags, byte gso = VirtioNetHdr.GsoNone, ushort size = 0) =>
        new() { Flags = flags, GsoType = gso, GsoSize = size, HdrLen = 66, CsumStart = 34, CsumOffset = 16 };

    [Fact]
    public void Tx_flags_and_gso_map_to_xen()
    {
        Assert.True(VirtioOffload.TryToXen(Vnet(0), OffloadFeatures.None, out var o));
        Assert.Equal(FrameOffload.None, o);
        Assert.True(VirtioOffload.TryToXen(Vnet(VirtioNetHdr.FlagDataValid), OffloadFeatures.None, out o));
        Assert.Equal(new FrameOffload(false, true, XenNetifGsoType.None, 0), o);
        Assert.True(VirtioOffload.TryToXen(Vnet(VirtioNetHdr.FlagNeedsCsum), OffloadFeatures.Csum, out o));
        Assert.Equal(new FrameOffload(true, true, XenNetifGsoType.None, 0), o);
        Assert.True(VirtioOffload.TryToXen(Vnet(VirtioNetHdr.FlagNeedsCsum, VirtioNetHdr.GsoTcpV4, 1448), OffloadFeatures.All, out o));
        Assert.Equal(new FrameOffload(true, true, XenNetifGsoType.TcpV4, 1448), o);
        Assert.True(VirtioOffload.TryToXen(Vnet(VirtioNetHdr.FlagNeedsCsum, VirtioNetHdr.GsoTcpV6, 1428), OffloadFeatures.All, out o));
        Assert.Equal(new FrameOffload(true, true, XenNetifGsoType.TcpV6, 1428), o);
    }

    [Theory]
    [InlineData(VirtioNetHdr.GsoUdp, 1400, OffloadFeatures.All)]
    [InlineData(VirtioNetHdr.GsoTcpV4 | VirtioNetHdr.GsoEcn, 1448, OffloadFeatures.All)]
    [InlineData(VirtioNetHdr.GsoTcpV4, 0, OffloadFeatures.All)]
    [InlineData(VirtioNetHdr.GsoTcpV6, 1428, OffloadFeatures.Csum | OffloadFeatures.Tso4)]
    [InlineData(VirtioNetHdr.GsoTcpV4, 1448, OffloadFeatures.Tso4)] // TSO without csum is no TSO
    public void Tx_gso_xen_cannot_carry_or_the_backend_did_not_offer_is_refused(byte gso, ushort size, OffloadFeatures offered)
    {
        Assert.False(VirtioOffload.TryToXen(Vnet(VirtioNetHdr.FlagNeedsCsum, gso, size), offered, out _));
    }

    private static byte[] TcpFrame(bool v6, int payload)
    {
        int ip = v6 ? 40 : 20;
        var f = new byte[14 + ip + 32 + payload];
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), v6 ? (ushort)0x86DD : (ushort)0x0800);
        if (v6)
        {
            f[14] = 0x60;
            f[14 + 6] = 6;
        }
        else
        {
            f[14] = 0x45;
            f[14 + 9] = 6;
        }
        f[14 + ip + 12] = 0x80; // data offset 8: 32-byte TCP header with options
        return f;
    }

    private static bool ToVirtio(byte[] frame, int firstSegment, FrameOffload offload, out VirtioNetHdr vnet)
    {
        fixed (byte* p = frame)
        {
            var segments = firstSegment >= frame.Length
                ? new[] { new RxSegment(p, frame.Length) }
                : new[] { new RxSegment(p, firstSegment), new RxSegment(p + firstSegment, frame.Length - firstSegment) };
            return VirtioOffload.TryToVirtio(new RxFrame(segments, frame.Length, offload), out vnet);
        }
    }

    [Theory]
    [InlineData(false, 100_000)]
    [InlineData(true, 100_000)]
    [InlineData(false, 40)] // headers straddle a short first segment
    [InlineData(true, 60)]
    public void Rx_csum_blank_and_gso_become_needs_csum_with_parsed_offsets(bool v6, int firstSegment)
    {
        byte[] frame = TcpFrame(v6, 30000);
        var gso = v6 ? XenNetifGsoType.TcpV6 : XenNetifGsoType.TcpV4;
        Assert.True(ToVirtio(frame, firstSegment, new FrameOffload(true, true, gso, 1400), out var vnet));
        int transport = v6 ? 54 : 34;
        Assert.Equal(VirtioNetHdr.FlagNeedsCsum, vnet.Flags);
        Assert.Equal((transport, 16), (vnet.CsumStart, vnet.CsumOffset));
        Assert.Equal(v6 ? VirtioNetHdr.GsoTcpV6 : VirtioNetHdr.GsoTcpV4, vnet.GsoType);
        Assert.Equal((1400, transport + 32), (vnet.GsoSize, vnet.HdrLen));
    }

    [Fact]
    public void Rx_data_validated_alone_is_data_valid_and_nothing_is_nothing()
    {
        byte[] frame = TcpFrame(false, 10);
        Assert.True(ToVirtio(frame, 4096, new FrameOffload(false, true, XenNetifGsoType.None, 0), out var vnet));
        Assert.Equal(VirtioNetHdr.FlagDataValid, vnet.Flags);
        Assert.True(ToVirtio(frame, 4096, FrameOffload.None, out vnet));
        Assert.Equal(default, vnet);
    }

    [Fact]
    public void Rx_flags_the_headers_do_not_bear_out_are_refused()
    {
        byte[] v4 = TcpFrame(false, 100);
        Assert.False(ToVirtio(v4, 4096, new FrameOffload(false, true, XenNetifGsoType.TcpV4, 1448), out _)); // GSO without csum_blank
        Assert.False(ToVirtio(v4, 4096, new FrameOffload(true, true, XenNetifGsoType.TcpV6, 1448), out _)); // wrong IP version
        var arp = new byte[60];
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(12), 0x0806);
        Assert.False(ToVirtio(arp, 4096, new FrameOffload(true, true, XenNetifGsoType.None, 0), out _));
        Assert.False(ToVirtio(v4[..40], 4096, new FrameOffload(true, true, XenNetifGsoType.None, 0), out _)); // truncated TCP header
    }
}
