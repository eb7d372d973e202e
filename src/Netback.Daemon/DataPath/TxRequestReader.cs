using System.Runtime.CompilerServices;
using Netback.Daemon.Diagnostics;
using Ring.Shared.Abi;
using Ring.Shared.Offload;

namespace Netback.Daemon.DataPath;

/// <summary>
/// Reads one guest-TX packet's slots and decides, before anything is sent, whether it is a packet,
/// a drop or a fatal error: netback.c's <c>xenvif_get_extras</c>, <c>xenvif_count_requests</c> and
/// the checks of <c>xenvif_tx_build_gops</c>, in their order. Pure: slots come in as private copies
/// (XSA-155: each read from shared memory once, by the <see cref="ITxSlotSource"/>), a verdict goes
/// out; no ring, no I/O, no allocation except the detail text of a fatal error.
/// <para>
/// Line numbers below are those of netback.c in the stored torvalds/linux copy this was checked
/// against (xenvif_count_requests at 233-329). Beyond netback: a gref outside the announced data
/// pages is fatal (netback's grant map would fail and answer an error; our pages are one mapping, so a
/// ring page must never be read as data), a GSO size below the smallest MSS a Linux TCP sender
/// uses (TCP_MIN_SND_MSS, 48, include/net/tcp.h) is a bad GSO like size 0, and frames over the MTU or of a GSO type not negotiated are dropped.
/// </para>
/// </summary>
internal sealed class TxRequestReader
{
    /// <summary>XEN_NETBK_LEGACY_SLOTS_MAX: slots after the first beyond which a packet is dropped (18).</summary>
    private const int LegacySlotsMax = NetifLimits.NrSlotsMin;

    /// <summary>netback's fatal_skb_slots (20): asking for a slot after this many after the first is fatal.</summary>
    private const int FatalSkbSlots = NetifLimits.FatalSkbSlots;

    /// <summary>
    /// TCP's minimum MSS as a sender sees it: TCP_MIN_SND_MSS (include/net/tcp.h, 48; the default of
    /// net.ipv4.tcp_min_snd_mss since the 2019 SACK fixes, CVE-2019-11478/11479). A smaller GSO size
    /// comes from no TCP stack and is treated as garbage. Not TCP_MIN_MSS (88, the smallest MSS Linux
    /// accepts from a peer's SYN option): an honest guest whose peer advertises 48..87 sends segments
    /// that small, and must not lose its vif for it.
    /// </summary>
    private const int TcpMinMss = 48;

    /// <summary>The first slot and at most <see cref="FatalSkbSlots"/> after it (the next read is refused).</summary>
    private readonly NetifTxRequest[] _slots = new NetifTxRequest[1 + FatalSkbSlots];
    private readonly TxLimits _limits;
    private int _count;

    public TxRequestReader(TxLimits limits) => _limits = limits;

    /// <summary>The data slots of the packet last read (the first at index 0), valid until the next read.</summary>
    public ReadOnlySpan<NetifTxRequest> Slots => _slots.AsSpan(0, _count);

    /// <param name="first">The packet's first slot, already copied (the caller charged its size to the credit).</param>
    /// <param name="rest">The slots after it.</param>
    /// <param name="work">How many published slots follow <paramref name="first"/>: reading past them is fatal.</param>
    public TxReadStatus Read<TSource>(in NetifTxRequest first, ref TSource rest, uint work, out TxPacket packet)
        where TSource : struct, ITxSlotSource
    {
        packet = default;
        packet.First = first;
        _count = 0;

        // xenvif_get_extras: each extra a whole TX slot, missing or of a bad type is fatal. The GSO
        // extra is judged later, where xenvif_set_skb_gso runs: after the data slots.
        NetifExtraInfo gso = default;
        bool hasGso = false;
        if (((NetTxFlags)first.Flags & NetTxFlags.ExtraInfo) != 0)
        {
            byte more;
            do
            {
                if (work == 0)
                {
                    return Fatal(ref packet, FatalReason.MissingSlots, $"missing extra info slot after {packet.ExtraSlots} extra(s)");
                }
                NetifTxRequest raw = rest.Next();
                work--;
                packet.ExtraSlots++;
                NetifExtraInfo extra = Unsafe.As<NetifTxRequest, NetifExtraInfo>(ref raw);
                if (extra.Type is (byte)XenNetifExtraType.None or >= (byte)XenNetifExtraType.Max)
                {
                    return Fatal(ref packet, FatalReason.BadExtraType, $"extra info type {extra.Type}");
                }
                if (extra.Type == (byte)XenNetifExtraType.Gso)
                {
                    hasGso = true; // the last one wins, as netback's extras[type - 1]
                    gso = extra;
                }
                more = (byte)(extra.Flags & XenNetifExtraFlags.More);
            }
            while (more != 0);
        }

        // xenvif_count_requests: `slots` are those after the first. Before each read, in this order:
        // past the published requests (fatal, line 250), fatal_skb_slots (fatal, 261), the legacy
        // limit (drop, 276). After it: a slot larger than what is left of the first's size is a drop,
        // not fatal, as frontends that overflow the u16 size exist (298); a slot crossing its page is
        // fatal even in a packet already dropped (309). The first drop reason found stays.
        _slots[_count++] = first;
        TxDropReason? drop = null;
        int remaining = first.Size;
        int slots = 0;
        bool moreData = ((NetTxFlags)first.Flags & NetTxFlags.MoreData) != 0;
        while (moreData)
        {
            if (slots >= work)
            {
                return Fatal(ref packet, FatalReason.MissingSlots, $"packet continues past the {slots} published slot(s) after its first");
            }
            if (slots >= FatalSkbSlots)
            {
                return Fatal(ref packet, FatalReason.TooManySlots, $"packet asks for more than {FatalSkbSlots} slots after its first (fatal_skb_slots)");
            }
            if (drop is null && slots >= LegacySlotsMax)
            {
                drop = TxDropReason.TooManySlots;
            }
            NetifTxRequest s = rest.Next();
            _slots[_count++] = s; // kept for its id: every slot is answered
            if (drop is null && s.Size > remaining)
            {
                drop = TxDropReason.SlotSizeMismatch;
            }
            remaining -= s.Size;
            slots++;
            if (s.Offset + s.Size > NetifLimits.PageSize)
            {
                return Fatal(ref packet, FatalReason.CrossPageBoundary, $"slot {slots} offset {s.Offset} size {s.Size} crosses the page");
            }
            moreData = ((NetTxFlags)s.Flags & NetTxFlags.MoreData) != 0;
        }
        packet.DataSlots = _count;
        if (drop is { } counted)
        {
            return Drop(ref packet, counted); // xenvif_tx_err: nothing of the packet is looked at further
        }

        // xenvif_tx_build_gops after count_requests: txreq.size is now the first slot's own bytes.
        packet.FirstLength = remaining;
        if (remaining < NetifLimits.EthHeaderLength)
        {
            return Drop(ref packet, TxDropReason.Runt);
        }
        if (first.Offset + remaining > NetifLimits.PageSize)
        {
            return Fatal(ref packet, FatalReason.CrossPageBoundary, $"first slot offset {first.Offset} length {remaining} crosses the page");
        }
        if (hasGso)
        {
            // xenvif_set_skb_gso: size 0 or an unknown type is fatal; so, here, is a size below TCP's minimum MSS.
            if (gso.GsoSize < TcpMinMss || gso.GsoType is not ((byte)XenNetifGsoType.TcpV4 or (byte)XenNetifGsoType.TcpV6))
            {
                return Fatal(ref packet, FatalReason.BadGso, $"GSO size {gso.GsoSize} (at least {TcpMinMss}) type {gso.GsoType}");
            }
            packet.IsGso = true;
            packet.Gso = gso;
        }

        // Ours: every slot's page must be a data page before any of it is read.
        for (int i = 0; i < _count; i++)
        {
            if (!_limits.IsDataGref(_slots[i].Gref))
            {
                return Fatal(ref packet, FatalReason.BadGref,
                    $"slot {i} gref {_slots[i].Gref} outside data pages {_limits.DataPageFirst}..{_limits.PageCount - 1}");
            }
        }
        if (packet.IsGso && (_limits.Offloads & (packet.Gso.GsoType == (byte)XenNetifGsoType.TcpV4 ? OffloadFeatures.Tso4 : OffloadFeatures.Tso6)) == 0)
        {
            return Drop(ref packet, TxDropReason.GsoNotNegotiated);
        }
        if (!packet.IsGso && first.Size > _limits.MaxFrameSize)
        {
            return Drop(ref packet, TxDropReason.Oversize);
        }
        return TxReadStatus.Packet;
    }

    private static TxReadStatus Drop(ref TxPacket packet, TxDropReason reason)
    {
        packet.Drop = reason;
        return TxReadStatus.Drop;
    }

    private static TxReadStatus Fatal(ref TxPacket packet, FatalReason reason, string detail)
    {
        packet.Fatal = reason;
        packet.FatalDetail = detail;
        return TxReadStatus.Fatal;
    }
}
