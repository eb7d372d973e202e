using Ring.Shared.Abi;
using Ring.Shared.Offload;

namespace Netback.Tests.Shared.Offload;

/// <summary>
/// <see cref="FrameOffload"/> in Xen's bits: NETTXF_* and NETRXF_* swap csum_blank and
/// data_validated, the GSO extra is one slot, and each side reads the flags as it always has
/// (netback takes TX flags as sent, netfront reads csum_blank on RX as data_validated too).
/// </summary>
public sealed class FrameOffloadTests
{
    private static readonly FrameOffload Gso4 = new(true, true, XenNetifGsoType.TcpV4, 1448);

    [Fact]
    public void Flags_use_each_ring_s_own_bits()
    {
        Assert.Equal((NetTxFlags.None, NetRxFlags.None), (FrameOffload.None.TxFlags, FrameOffload.None.RxFlags));
        var blank = new FrameOffload(true, false, XenNetifGsoType.None, 0);
        Assert.Equal((ushort)0x1, (ushort)blank.TxFlags);   // NETTXF_csum_blank
        Assert.Equal((ushort)0x2, (ushort)blank.RxFlags);   // NETRXF_csum_blank
        var valid = new FrameOffload(false, true, XenNetifGsoType.None, 0);
        Assert.Equal((ushort)0x2, (ushort)valid.TxFlags);   // NETTXF_data_validated
        Assert.Equal((ushort)0x1, (ushort)valid.RxFlags);   // NETRXF_data_validated
        Assert.Equal(NetTxFlags.CsumBlank | NetTxFlags.DataValidated | NetTxFlags.ExtraInfo, Gso4.TxFlags);
        Assert.Equal(NetRxFlags.CsumBlank | NetRxFlags.DataValidated | NetRxFlags.ExtraInfo, Gso4.RxFlags);
        // more_data is each slot's own: never part of the frame's metadata.
        Assert.Equal(NetTxFlags.ExtraInfo, new FrameOffload(false, false, XenNetifGsoType.TcpV6, 1428).TxFlags);
    }

    [Fact]
    public void The_gso_extra_is_type_gso_without_more_and_zero_when_not_gso()
    {
        var extra = Gso4.GsoExtra;
        Assert.Equal((byte)XenNetifExtraType.Gso, extra.Type);
        Assert.Equal(0, extra.Flags);
        Assert.Equal(1448, extra.GsoSize);
        Assert.Equal((byte)XenNetifGsoType.TcpV4, extra.GsoType);
        Assert.Equal((0, 0, 0), (extra.GsoPad, extra.GsoFeatures, 0));
        Assert.Equal(0ul, Bits(new FrameOffload(true, true, XenNetifGsoType.None, 0).GsoExtra));
    }

    [Fact]
    public void From_tx_takes_the_flags_as_sent()
    {
        Assert.Equal(new FrameOffload(true, false, XenNetifGsoType.None, 0), FrameOffload.FromTx(NetTxFlags.CsumBlank, default));
        Assert.Equal(new FrameOffload(false, true, XenNetifGsoType.None, 0), FrameOffload.FromTx(NetTxFlags.DataValidated, default));
        Assert.Equal(FrameOffload.None, FrameOffload.FromTx(NetTxFlags.MoreData | NetTxFlags.ExtraInfo, default));
        Assert.Equal(Gso4, FrameOffload.FromTx(NetTxFlags.CsumBlank | NetTxFlags.DataValidated | NetTxFlags.ExtraInfo, Gso4.GsoExtra));
        // An extra that is not GSO (multicast, hash) carries no segmentation.
        var hash = new NetifExtraInfo { Type = (byte)XenNetifExtraType.Hash, GsoSize = 1448, GsoType = 1 };
        Assert.Equal(FrameOffload.None, FrameOffload.FromTx(NetTxFlags.ExtraInfo, hash));
    }

    [Fact]
    public void From_rx_reads_csum_blank_as_data_validated_too()
    {
        Assert.Equal(new FrameOffload(true, true, XenNetifGsoType.None, 0), FrameOffload.FromRx(NetRxFlags.CsumBlank, default));
        Assert.Equal(new FrameOffload(false, true, XenNetifGsoType.None, 0), FrameOffload.FromRx(NetRxFlags.DataValidated, default));
        Assert.Equal(FrameOffload.None, FrameOffload.FromRx(NetRxFlags.MoreData | NetRxFlags.ExtraInfo | NetRxFlags.GsoPrefix, default));
        Assert.Equal(Gso4, FrameOffload.FromRx(NetRxFlags.CsumBlank | NetRxFlags.ExtraInfo, Gso4.GsoExtra));
        var mcast = new NetifExtraInfo { Type = (byte)XenNetifExtraType.McastAdd, GsoSize = 1448, GsoType = 1 };
        Assert.Equal(FrameOffload.None, FrameOffload.FromRx(NetRxFlags.ExtraInfo, mcast));
    }

    [Theory]
    [InlineData(false, false, XenNetifGsoType.None, 0)]
    [InlineData(true, false, XenNetifGsoType.None, 0)]
    [InlineData(false, true, XenNetifGsoType.None, 0)]
    [InlineData(true, true, XenNetifGsoType.None, 0)]
    [InlineData(true, true, XenNetifGsoType.TcpV4, 1448)]
    [InlineData(false, true, XenNetifGsoType.TcpV6, 1428)]
    [InlineData(false, false, XenNetifGsoType.TcpV4, 1)]
    public void Encoding_then_decoding_gives_the_frame_back(bool blank, bool valid, XenNetifGsoType type, ushort size)
    {
        var o = new FrameOffload(blank, valid, type, size);
        Assert.Equal(o, FrameOffload.FromTx(o.TxFlags, o.GsoExtra));
        Assert.Equal(o with { DataValidated = valid || blank }, FrameOffload.FromRx(o.RxFlags, o.GsoExtra));
    }

    private static ulong Bits(NetifExtraInfo e) => System.Runtime.CompilerServices.Unsafe.As<NetifExtraInfo, ulong>(ref e);
}
