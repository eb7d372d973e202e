using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ring.Shared.Abi;

namespace Netback.Tests.Shared.Abi;

/// <summary>The netif slot structs, byte for byte as in xen/io/netif.h (fact sheet §2.1).</summary>
public sealed class StructLayoutTests
{
    /// <summary>The real in-memory offset of a field (what the rings read), not the marshalled one.</summary>
    private static int Offset<TStruct, TField>(ref TStruct s, ref TField field) =>
        (int)Unsafe.ByteOffset(ref Unsafe.As<TStruct, byte>(ref s), ref Unsafe.As<TField, byte>(ref field));

    [Fact]
    public void NetifTxRequest_is_12_bytes_gref_offset_flags_id_size()
    {
        var s = default(NetifTxRequest);
        Assert.Equal(12, Unsafe.SizeOf<NetifTxRequest>());
        Assert.Equal(12, Marshal.SizeOf<NetifTxRequest>());
        Assert.Equal(0, Offset(ref s, ref s.Gref));
        Assert.Equal(4, Offset(ref s, ref s.Offset));
        Assert.Equal(6, Offset(ref s, ref s.Flags));
        Assert.Equal(8, Offset(ref s, ref s.Id));
        Assert.Equal(10, Offset(ref s, ref s.Size));
        Assert.Equal(10, (int)Marshal.OffsetOf<NetifTxRequest>(nameof(NetifTxRequest.Size)));
    }

    [Fact]
    public void NetifTxResponse_is_4_bytes_id_status()
    {
        var s = default(NetifTxResponse);
        Assert.Equal(4, Unsafe.SizeOf<NetifTxResponse>());
        Assert.Equal(0, Offset(ref s, ref s.Id));
        Assert.Equal(2, Offset(ref s, ref s.Status));
    }

    [Fact]
    public void NetifRxRequest_is_8_bytes_id_pad_gref()
    {
        var s = default(NetifRxRequest);
        Assert.Equal(8, Unsafe.SizeOf<NetifRxRequest>());
        Assert.Equal(0, Offset(ref s, ref s.Id));
        Assert.Equal(2, Offset(ref s, ref s.Pad));
        Assert.Equal(4, Offset(ref s, ref s.Gref));
    }

    [Fact]
    public void NetifRxResponse_is_8_bytes_id_offset_flags_status()
    {
        var s = default(NetifRxResponse);
        Assert.Equal(8, Unsafe.SizeOf<NetifRxResponse>());
        Assert.Equal(0, Offset(ref s, ref s.Id));
        Assert.Equal(2, Offset(ref s, ref s.Offset));
        Assert.Equal(4, Offset(ref s, ref s.Flags));
        Assert.Equal(6, Offset(ref s, ref s.Status));
    }

    [Fact]
    public void NetifExtraInfo_is_8_bytes_with_the_gso_member_at_2()
    {
        var s = default(NetifExtraInfo);
        Assert.Equal(8, Unsafe.SizeOf<NetifExtraInfo>());
        Assert.Equal(0, Offset(ref s, ref s.Type));
        Assert.Equal(1, Offset(ref s, ref s.Flags));
        Assert.Equal(2, Offset(ref s, ref s.GsoSize));
        Assert.Equal(4, Offset(ref s, ref s.GsoType));
        Assert.Equal(5, Offset(ref s, ref s.GsoPad));
        Assert.Equal(6, Offset(ref s, ref s.GsoFeatures));
    }

    [Fact]
    public void Fields_are_little_endian_in_the_slot_bytes()
    {
        var req = new NetifTxRequest { Gref = 0x04030201, Offset = 0x0605, Flags = 0x0807, Id = 0x0a09, Size = 0x0c0b };
        byte[] bytes = new byte[12];
        MemoryMarshal.Write(bytes, in req);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, bytes);
    }

    [Fact]
    public void Tx_flags_have_netif_h_values()
    {
        Assert.Equal(0x1, (int)NetTxFlags.CsumBlank);
        Assert.Equal(0x2, (int)NetTxFlags.DataValidated);
        Assert.Equal(0x4, (int)NetTxFlags.MoreData);
        Assert.Equal(0x8, (int)NetTxFlags.ExtraInfo);
    }

    [Fact]
    public void Rx_flags_have_netif_h_values_with_csum_bits_swapped()
    {
        Assert.Equal(0x1, (int)NetRxFlags.DataValidated);
        Assert.Equal(0x2, (int)NetRxFlags.CsumBlank);
        Assert.Equal(0x4, (int)NetRxFlags.MoreData);
        Assert.Equal(0x8, (int)NetRxFlags.ExtraInfo);
        Assert.Equal(0x10, (int)NetRxFlags.GsoPrefix);
    }

    [Fact]
    public void Status_extra_and_gso_constants_have_netif_h_values()
    {
        Assert.Equal(-2, NetifStatus.Dropped);
        Assert.Equal(-1, NetifStatus.Error);
        Assert.Equal(0, NetifStatus.Okay);
        Assert.Equal(1, NetifStatus.Null);
        Assert.Equal(1, (int)XenNetifExtraType.Gso);
        Assert.Equal(2, (int)XenNetifExtraType.McastAdd);
        Assert.Equal(3, (int)XenNetifExtraType.McastDel);
        Assert.Equal(4, (int)XenNetifExtraType.Hash);
        Assert.Equal(1, XenNetifExtraFlags.More);
        Assert.Equal(0, (int)XenNetifGsoType.None);
        Assert.Equal(1, (int)XenNetifGsoType.TcpV4);
        Assert.Equal(2, (int)XenNetifGsoType.TcpV6);
    }

    [Fact]
    public void Limits_match_the_fact_sheet()
    {
        Assert.Equal(4096, NetifLimits.PageSize);
        Assert.Equal(18, NetifLimits.NrSlotsMin);
        Assert.Equal(20, NetifLimits.FatalSkbSlots);
        Assert.Equal(0xFFFF, NetifLimits.MaxTxSize);
        Assert.Equal(4, NetifLimits.MaxRingPageOrder);
    }

    [Fact]
    public void Xenbus_states_have_xenbus_h_values()
    {
        Assert.Equal(1, (int)XenbusState.Initialising);
        Assert.Equal(2, (int)XenbusState.InitWait);
        Assert.Equal(3, (int)XenbusState.Initialised);
        Assert.Equal(4, (int)XenbusState.Connected);
        Assert.Equal(5, (int)XenbusState.Closing);
        Assert.Equal(6, (int)XenbusState.Closed);
    }
}
