using System.Buffers.Binary;
using Ring.Shared.Abi;
using Ring.Shared.Offload;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// <see cref="RxFrame.ToVirtio"/>: a received frame's virtio_net_hdr for <c>netfront attach</c>'s guest
/// TAP (docs/protocol.md "Offloads"), headers parsed from the first segment or a copy when they
/// straddle segments. The mapping itself, both rings: tests/Netback.Tests/Offload.
/// </summary>
public sealed unsafe class RxFrameVirtioTests
{
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
            return new RxFrame(segments, frame.Length, offload).ToVirtio(out vnet) == NetifOffloadResult.Mapped;
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
