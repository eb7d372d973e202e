using Netback.Daemon.Diagnostics;
using Netback.Daemon.Interface;
using Ring.Shared.Abi;
using Ring.Shared.Memory;

namespace Netback.Daemon.DataPath;

/// <summary>
/// tx-copy=map: the grant-map model of netback's guest TX. For each packet, every data slot's page is
/// mapped on its own from the grant area's memfd (netback's <c>gnttab_map_refcount</c> per request
/// in <c>xenvif_tx_build_gops</c>), the frame is copied and written from those mappings, and the
/// round's pages are unmapped together when the TX action ends (<c>xenvif_tx_dealloc_action</c>'s
/// batched unmap), paying the mmap, page fault and TLB shoot-down the persistent mapping avoids.
/// The per-round array is allocated once; a failed mmap (ENOMEM: out of mappings) drops the packet.
/// </summary>
internal sealed unsafe class TxGrantMapper : IDisposable
{
    /// <summary>Data slots a packet may have (the first and XEN_NETBK_LEGACY_SLOTS_MAX after it).</summary>
    public const int MaxPacketSlots = 1 + NetifLimits.NrSlotsMin;

    /// <summary>Packets whose pages one batch holds: a worker round's budget.</summary>
    public const int RoundPackets = 64;

    private readonly GrantPageMapper _pages;
    private readonly QueueCounters _counters;
    private byte*[] _slotPages = new byte*[MaxPacketSlots];

    public TxGrantMapper(VifQueue queue)
    {
        var fd = queue.GrantFd ?? throw new InvalidOperationException($"{queue.Name}: tx-copy=map needs the grant area's memfd");
        _pages = new GrantPageMapper(fd, (int)queue.PageCount, RoundPackets * MaxPacketSlots);
        _counters = queue.Counters;
    }

    /// <summary>The mapped address of data slot <paramref name="slot"/> of the packet last mapped.</summary>
    public byte* SlotPage(int slot) => _slotPages[slot];

    /// <summary>
    /// Maps each of <paramref name="slots"/>' pages (grefs already checked against the data pages).
    /// False: a page could not be mapped and the packet is to be dropped; what was mapped stays in
    /// the batch and goes with the round's unmap.
    /// </summary>
    public bool MapPacket(ReadOnlySpan<NetifTxRequest> slots)
    {
        if (_pages.Free < slots.Length)
        {
            EndRound(); // a round longer than the budget: give back what was written before mapping more
        }
        for (int i = 0; i < slots.Length; i++)
        {
            byte* page = _pages.Map(slots[i].Gref, out _);
            if (page == null)
            {
                return false;
            }
            _counters.TxMaps++;
            _slotPages[i] = page;
        }
        return true;
    }

    /// <summary>Unmaps the round's pages: every writev from them has returned (the TAP has copied the frames).</summary>
    public void EndRound() => _counters.TxUnmaps += _pages.UnmapAll();

    public void Dispose()
    {
        _pages.Dispose();
        _slotPages = [];
    }
}
