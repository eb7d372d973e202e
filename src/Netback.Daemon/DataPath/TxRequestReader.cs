using System.Runtime.CompilerServices;
using Netback.Daemon.Diagnostics;
using Ring.Shared.Abi;
using Ring.Shared.Offload;

namespace Netback.Daemon.DataPath;

/// <summary>
/// Reads one guest-TX packet's slots and decides, before anything is sent, whether it is a packet,
/// a drop or a fatal error: netback.c's <c>xenvif_get_extras</c>, <c>xenvif_count_requests</c> and
/// the checks of <c>xenvif_tx_build_gops</c>. Pure: slots come in as private copies (XSA-155: each
/// read from shared memory once, by the <see cref="ITxSlotSource"/>), a verdict goes out; no ring,
/// no I/O, no allocation except the detail text of a fatal error.
/// </summary>
internal sealed class TxRequestReader
{
    private readonly NetifTxRequest[] _slots = new NetifTxRequest[NetifLimits.FatalSkbSlots];
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

        // Extra-info slots (xenvif_get_extras): each a whole TX slot.
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
                    if (extra.GsoSize == 0 || extra.GsoType is not ((byte)XenNetifGsoType.TcpV4 or (byte)XenNetifGsoType.TcpV6))
                    {
                        return Fatal(ref packet, FatalReason.BadGso, $"GSO size {extra.GsoSize} type {extra.GsoType}");
                    }
                    packet.IsGso = true;
                    packet.Gso = extra;
                }
                more = (byte)(extra.Flags & XenNetifExtraFlags.More);
            }
            while (more != 0);
        }

        // Data slots chained by more_data (xenvif_count_requests).
        _slots[_count++] = first;
        NetifTxRequest last = first;
        while (((NetTxFlags)last.Flags & NetTxFlags.MoreData) != 0)
        {
            if (work == 0)
            {
                return Fatal(ref packet, FatalReason.MissingSlots, $"packet continues past the {_count} published slots");
            }
            last = rest.Next();
            work--;
            _slots[_count++] = last;
            // fatal_skb_slots: a packet of 20 slots or more is malicious, whether or not it ends here.
            if (_count >= NetifLimits.FatalSkbSlots)
            {
                return Fatal(ref packet, FatalReason.TooManySlots, $"packet uses {_count} or more slots (fatal at {NetifLimits.FatalSkbSlots})");
            }
        }
        packet.DataSlots = _count;

        // Every slot's page reference; the first slot's share of the total.
        TxDropReason? drop = null;
        int remaining = first.Size;
        for (int i = 0; i < _count; i++)
        {
            NetifTxRequest s = _slots[i];
            if (!_limits.IsDataGref(s.Gref))
            {
                return Fatal(ref packet, FatalReason.BadGref, $"slot {i} gref {s.Gref} outside data pages {_limits.DataPageFirst}..{_limits.PageCount - 1}");
            }
            if (s.Offset + (i == 0 ? 0 : s.Size) > NetifLimits.PageSize)
            {
                return Fatal(ref packet, FatalReason.CrossPageBoundary, $"slot {i} offset {s.Offset} size {s.Size} crosses the page");
            }
            if (i > 0)
            {
                if (s.Size > remaining)
                {
                    drop ??= TxDropReason.SlotSizeMismatch;
                }
                else
                {
                    remaining -= s.Size;
                }
            }
        }
        packet.FirstLength = remaining;
        if (first.Offset + remaining > NetifLimits.PageSize)
        {
            return Fatal(ref packet, FatalReason.CrossPageBoundary, $"first slot offset {first.Offset} length {remaining} crosses the page");
        }
        if (first.Size < NetifLimits.EthHeaderLength)
        {
            drop ??= TxDropReason.Runt;
        }
        if (_count > NetifLimits.NrSlotsMin)
        {
            drop ??= TxDropReason.TooManySlots;
        }
        if (packet.IsGso && (_limits.Offloads & (packet.Gso.GsoType == (byte)XenNetifGsoType.TcpV4 ? OffloadFeatures.Tso4 : OffloadFeatures.Tso6)) == 0)
        {
            drop ??= TxDropReason.GsoNotNegotiated;
        }
        else if (!packet.IsGso && first.Size > _limits.MaxFrameSize)
        {
            drop ??= TxDropReason.Oversize;
        }
        if (drop is { } reason)
        {
            packet.Drop = reason;
            return TxReadStatus.Drop;
        }
        return TxReadStatus.Packet;
    }

    private static TxReadStatus Fatal(ref TxPacket packet, FatalReason reason, string detail)
    {
        packet.Fatal = reason;
        packet.FatalDetail = detail;
        return TxReadStatus.Fatal;
    }
}
