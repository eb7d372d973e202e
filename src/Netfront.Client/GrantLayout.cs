using Ring.Shared.Memory;
using Ring.Shared.Rings;

namespace Netfront.Client;

/// <summary>
/// Where everything lives in the grant area (docs/protocol.md "Grant area layout"): ring pages
/// first, per queue the TX ring then the RX ring (<see cref="RingPages"/> each); then data pages, per queue
/// one page per TX slot id, then one page per RX slot id. A gref is a page index, so slot id
/// <c>i</c> of queue <c>q</c> always uses the same page, like netfront's grant per slot.
/// </summary>
internal sealed class GrantLayout
{
    public GrantLayout(int queues, RingGeometry tx, RingGeometry rx)
    {
        if (tx.PageOrder != rx.PageOrder)
        {
            throw new ArgumentException("TX and RX rings must have the same page order", nameof(rx));
        }
        Queues = queues;
        Tx = tx;
        Rx = rx;
        RingPages = Math.Max(tx.Pages, rx.Pages); // equal for xen; cacheline layouts' TX rings are wider
        DataPageFirst = queues * 2 * RingPages;
        DataPagesPerQueue = (int)(tx.Size + rx.Size);
        long total = (long)DataPageFirst + (long)queues * DataPagesPerQueue;
        if (total > GrantArea.MaxPages)
        {
            throw new NetfrontException($"{queues} queues with ring-page-order {tx.PageOrder} need {total} grant pages, more than {GrantArea.MaxPages}");
        }
        TotalPages = (int)total;
    }

    public int Queues { get; }

    public RingGeometry Tx { get; }

    public RingGeometry Rx { get; }

    /// <summary>Pages given to each ring (2^ring-page-order for xen; what the wider of TX and RX spans for the cacheline layouts).</summary>
    public int RingPages { get; }

    /// <summary><c>data-page-first</c>: pages below hold rings only.</summary>
    public int DataPageFirst { get; }

    public int DataPagesPerQueue { get; }

    /// <summary><c>grant-pages</c>.</summary>
    public int TotalPages { get; }

    /// <summary><c>tx-ring-ref</c> of queue <paramref name="queue"/>.</summary>
    public uint TxRingRef(int queue) => (uint)(queue * 2 * RingPages);

    /// <summary><c>rx-ring-ref</c> of queue <paramref name="queue"/>.</summary>
    public uint RxRingRef(int queue) => TxRingRef(queue) + (uint)RingPages;

    /// <summary>The data page of TX slot id 0 of <paramref name="queue"/>; id i uses this + i.</summary>
    public uint TxDataFirst(int queue) => (uint)(DataPageFirst + queue * DataPagesPerQueue);

    /// <summary>The data page of RX slot id 0 of <paramref name="queue"/>; id i uses this + i.</summary>
    public uint RxDataFirst(int queue) => TxDataFirst(queue) + Tx.Size;
}
