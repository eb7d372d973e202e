using System.Runtime.CompilerServices;
using Netback.Daemon.DataPath;
using Netback.Daemon.Diagnostics;
using Ring.Shared.Abi;
using Ring.Shared.Offload;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// The guest-TX verdicts of netback's xenvif_get_extras / xenvif_count_requests / xenvif_tx_build_gops,
/// from copied slots alone: every fatal and every drop reason, and what a good packet reads as.
/// </summary>
public sealed class TxRequestReaderTests
{
    private const uint FirstData = 2;
    private const uint Pages = 100;
    private static readonly TxLimits Limits = new(FirstData, Pages, NetifLimits.MaxFrameSize(1500), OffloadFeatures.All);

    private static NetifTxRequest Slot(ushort size, NetTxFlags flags = NetTxFlags.None, uint gref = FirstData, ushort offset = 0, ushort id = 0) =>
        new() { Gref = gref, Offset = offset, Flags = (ushort)flags, Id = id, Size = size };

    private static NetifTxRequest Extra(XenNetifExtraType type, ushort gsoSize = 1448, XenNetifGsoType gso = XenNetifGsoType.TcpV4, bool more = false)
    {
        var e = new NetifExtraInfo { Type = (byte)type, Flags = more ? (byte)XenNetifExtraFlags.More : (byte)0, GsoSize = gsoSize, GsoType = (byte)gso };
        var raw = default(NetifTxRequest);
        Unsafe.As<NetifTxRequest, NetifExtraInfo>(ref raw) = e;
        return raw;
    }

    /// <summary>Reads a packet whose first slot is <paramref name="slots"/>[0]; every other slot counts as published.</summary>
    private static TxReadStatus Read(out TxPacket packet, TxLimits? limits = null, params NetifTxRequest[] slots)
    {
        var reader = new TxRequestReader(limits ?? Limits);
        var rest = new ArraySlotSource(slots[1..]);
        return reader.Read(slots[0], ref rest, (uint)(slots.Length - 1), out packet);
    }

    private static NetifTxRequest[] Chain(int count, ushort each = 100)
    {
        var slots = new NetifTxRequest[count];
        for (int i = 0; i < count; i++)
        {
            slots[i] = Slot(i == 0 ? (ushort)(each * count) : each, i < count - 1 ? NetTxFlags.MoreData : NetTxFlags.None, FirstData + (uint)i, id: (ushort)i);
        }
        return slots;
    }

    [Fact]
    public void A_one_slot_frame_is_a_packet()
    {
        Assert.Equal(TxReadStatus.Packet, Read(out var p, null, Slot(60)));
        Assert.Equal(1, p.DataSlots);
        Assert.Equal(0, p.ExtraSlots);
        Assert.Equal(60, p.FirstLength);
        Assert.Equal(1u, p.SlotsUsed);
    }

    [Fact]
    public void A_chain_gives_the_first_slot_what_the_others_leave()
    {
        var slots = Chain(3);
        var reader = new TxRequestReader(Limits);
        var rest = new ArraySlotSource(slots[1..]);
        Assert.Equal(TxReadStatus.Packet, reader.Read(slots[0], ref rest, 2, out var p));
        Assert.Equal(3, p.DataSlots);
        Assert.Equal(100, p.FirstLength);
        Assert.Equal([0, 1, 2], reader.Slots.ToArray().Select(s => (int)s.Id));
        Assert.Equal(2, rest.Taken);
    }

    [Fact]
    public void A_gso_extra_is_read_and_counted_as_a_slot()
    {
        var status = Read(out var p, null, Slot(3000, NetTxFlags.ExtraInfo | NetTxFlags.MoreData), Extra(XenNetifExtraType.Gso), Slot(1000, gref: 3));
        Assert.Equal(TxReadStatus.Packet, status);
        Assert.True(p.IsGso);
        Assert.Equal(1448, p.Gso.GsoSize);
        Assert.Equal(1, p.ExtraSlots);
        Assert.Equal(2, p.DataSlots);
        Assert.Equal(3u, p.SlotsUsed);
        Assert.Equal(2000, p.FirstLength);
    }

    [Fact]
    public void A_missing_extra_slot_is_fatal() =>
        AssertFatal(FatalReason.MissingSlots, Slot(60, NetTxFlags.ExtraInfo));

    [Fact]
    public void A_chain_past_the_published_slots_is_fatal() =>
        AssertFatal(FatalReason.MissingSlots, Slot(200, NetTxFlags.MoreData));

    [Theory]
    [InlineData(XenNetifExtraType.None)]
    [InlineData(XenNetifExtraType.Max)]
    public void An_extra_of_type_none_or_beyond_the_last_is_fatal(XenNetifExtraType type) =>
        AssertFatal(FatalReason.BadExtraType, Slot(60, NetTxFlags.ExtraInfo), Extra(type));

    [Fact]
    public void A_gso_extra_of_size_zero_is_fatal() =>
        AssertFatal(FatalReason.BadGso, Slot(60, NetTxFlags.ExtraInfo), Extra(XenNetifExtraType.Gso, gsoSize: 0));

    [Fact]
    public void A_gso_extra_of_an_unknown_type_is_fatal() =>
        AssertFatal(FatalReason.BadGso, Slot(60, NetTxFlags.ExtraInfo), Extra(XenNetifExtraType.Gso, gso: (XenNetifGsoType)7));

    [Fact]
    public void Twenty_slots_are_fatal() =>
        AssertFatal(FatalReason.TooManySlots, Chain(NetifLimits.FatalSkbSlots));

    [Fact]
    public void A_gref_outside_the_data_pages_is_fatal()
    {
        AssertFatal(FatalReason.BadGref, Slot(60, gref: 0));           // a ring page
        AssertFatal(FatalReason.BadGref, Slot(60, gref: Pages));       // past the area
        var chain = Chain(2);
        chain[1].Gref = 1;
        AssertFatal(FatalReason.BadGref, chain);
    }

    [Fact]
    public void A_slot_crossing_its_page_is_fatal()
    {
        var chain = Chain(2);
        chain[1].Offset = 4000;
        AssertFatal(FatalReason.CrossPageBoundary, chain);
        AssertFatal(FatalReason.CrossPageBoundary, Slot(200, offset: 4000));
    }

    [Fact]
    public void A_first_slot_shorter_than_an_ethernet_header_is_dropped() =>
        AssertDrop(TxDropReason.Runt, Slot(13));

    [Fact]
    public void Nineteen_slots_are_dropped() =>
        AssertDrop(TxDropReason.TooManySlots, Chain(NetifLimits.NrSlotsMin + 1));

    [Fact]
    public void A_later_slot_larger_than_what_is_left_is_dropped()
    {
        var chain = Chain(2);
        chain[1].Size = (ushort)(chain[0].Size + 1);
        AssertDrop(TxDropReason.SlotSizeMismatch, chain);
    }

    [Fact]
    public void A_gso_type_that_was_not_negotiated_is_dropped()
    {
        var limits = Limits with { Offloads = OffloadFeatures.Csum | OffloadFeatures.Tso4 };
        Assert.Equal(TxReadStatus.Drop, Read(out var p, limits, Slot(60, NetTxFlags.ExtraInfo), Extra(XenNetifExtraType.Gso, gso: XenNetifGsoType.TcpV6)));
        Assert.Equal(TxDropReason.GsoNotNegotiated, p.Drop);
        Assert.Equal(2u, p.SlotsUsed); // the extra is answered too
    }

    [Fact]
    public void A_frame_beyond_the_mtu_without_gso_is_dropped() =>
        AssertDrop(TxDropReason.Oversize, Slot((ushort)(Limits.MaxFrameSize + 1)));

    private static void AssertFatal(FatalReason reason, params NetifTxRequest[] slots)
    {
        Assert.Equal(TxReadStatus.Fatal, Read(out var p, null, slots));
        Assert.Equal(reason, p.Fatal);
        Assert.False(string.IsNullOrEmpty(p.FatalDetail));
    }

    private static void AssertDrop(TxDropReason reason, params NetifTxRequest[] slots)
    {
        Assert.Equal(TxReadStatus.Drop, Read(out var p, null, slots));
        Assert.Equal(reason, p.Drop);
        Assert.Equal((uint)slots.Length, p.SlotsUsed); // every slot is consumed and answered
    }
}
