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

    // ------------------------------------------------------------------ xenvif_count_requests
    // netback.c (torvalds/linux, stored copy, lines 233-329): `slots` counts the slots after the first;
    // before reading another it checks, in order, slots >= work_to_do (fatal, line 250), slots >=
    // fatal_skb_slots 20 (fatal, 261), slots >= XEN_NETBK_LEGACY_SLOTS_MAX 18 (drop, 276).

    [Fact]
    public void Eighteen_slots_after_the_first_are_a_packet()
    {
        Assert.Equal(TxReadStatus.Packet, Read(out var p, null, Chain(1 + 18, each: 60)));
        Assert.Equal(19, p.DataSlots);
    }

    [Fact]
    public void Nineteen_slots_after_the_first_are_dropped() =>
        AssertDrop(TxDropReason.TooManySlots, Chain(1 + 19, each: 60));

    [Fact]
    public void Twenty_slots_after_the_first_that_end_there_are_dropped_not_fatal() =>
        AssertDrop(TxDropReason.TooManySlots, Chain(1 + 20, each: 60));

    [Fact]
    public void A_chain_that_asks_for_a_twenty_first_slot_after_the_first_is_fatal_before_reading_it()
    {
        var slots = Chain(1 + 25, each: 60);
        var reader = new TxRequestReader(Limits);
        var rest = new ArraySlotSource(slots[1..]);
        Assert.Equal(TxReadStatus.Fatal, reader.Read(slots[0], ref rest, (uint)(slots.Length - 1), out var p));
        Assert.Equal(FatalReason.TooManySlots, p.Fatal);
        Assert.Equal(20, rest.Taken); // the check comes before the read of the 21st
    }

    [Fact]
    public void A_chain_past_the_published_slots_is_fatal_even_beyond_the_drop_threshold()
    {
        var slots = Chain(1 + 19, each: 60);
        slots[^1].Flags |= (ushort)NetTxFlags.MoreData; // the 19th asks for a 20th that was never published
        AssertFatal(FatalReason.MissingSlots, slots);
    }

    [Fact]
    public void A_later_slot_larger_than_what_is_left_is_dropped_and_the_rest_still_read()
    {
        var chain = Chain(4);
        chain[1].Size = (ushort)(chain[0].Size + 1);
        AssertDrop(TxDropReason.SlotSizeMismatch, chain);
        chain[3].Offset = 4090; // a later slot crossing its page is fatal even in a dropped packet (line 309)
        AssertFatal(FatalReason.CrossPageBoundary, chain);
    }

    [Fact]
    public void The_first_reason_found_slot_by_slot_is_the_drop_reason()
    {
        var chain = Chain(1 + 19, each: 60);
        chain[3].Size = (ushort)(chain[0].Size + 1); // found at the third slot, before the 19th
        AssertDrop(TxDropReason.SlotSizeMismatch, chain);
    }

    [Fact]
    public void A_first_slot_whose_own_bytes_are_fewer_than_an_ethernet_header_is_dropped()
    {
        // build_gops checks txreq.size after count_requests took the later slots' sizes off it.
        var chain = Chain(2);
        chain[0].Size = 1000;
        chain[1].Size = 990;
        AssertDrop(TxDropReason.Runt, chain);
        chain[1].Size = 986;
        Assert.Equal(TxReadStatus.Packet, Read(out var p, null, chain));
        Assert.Equal(14, p.FirstLength);
    }

    [Fact]
    public void A_runt_is_dropped_before_its_first_slot_is_checked_against_its_page() =>
        AssertDrop(TxDropReason.Runt, Slot(10, offset: 4090));

    [Fact]
    public void A_gso_size_below_tcps_minimum_mss_is_fatal()
    {
        // TCP_MIN_SND_MSS (48): below it no TCP stack segments; 48..87 is a real guest talking to a small-MSS peer.
        AssertFatal(FatalReason.BadGso, Slot(200, NetTxFlags.ExtraInfo), Extra(XenNetifExtraType.Gso, gsoSize: 47));
        Assert.Equal(TxReadStatus.Packet, Read(out _, null, Slot(200, NetTxFlags.ExtraInfo), Extra(XenNetifExtraType.Gso, gsoSize: 48)));
    }

    [Fact]
    public void A_bad_gso_extra_on_a_packet_count_requests_drops_is_a_drop()
    {
        // netback drops in xenvif_count_requests and never reaches xenvif_set_skb_gso.
        var chain = Chain(1 + 19, each: 60);
        chain[0].Flags |= (ushort)NetTxFlags.ExtraInfo;
        NetifTxRequest[] slots = [chain[0], Extra(XenNetifExtraType.Gso, gsoSize: 0), .. chain[1..]];
        AssertDrop(TxDropReason.TooManySlots, slots);
    }

    [Fact]
    public void A_bad_gref_in_a_packet_dropped_before_its_pages_are_touched_is_a_drop()
    {
        var chain = Chain(1 + 19, each: 60);
        chain[5].Gref = 0; // a ring page, but the packet is dropped before any page is read
        AssertDrop(TxDropReason.TooManySlots, chain);
    }

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
    public void A_slot_crossing_its_page_after_the_first_is_fatal_at_any_position()
    {
        var chain = Chain(1 + 18, each: 60);
        chain[18].Offset = 4050;
        AssertFatal(FatalReason.CrossPageBoundary, chain);
    }

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
