using System.Numerics;
using Ring.Shared.Abi;

namespace Ring.Shared.Rings;

/// <summary>
/// Where the indices and slots of one shared ring live, and how many slots it has.
/// For <see cref="RingLayout.Xen"/> this is <c>DEFINE_RING_TYPES</c> + <c>__CONST_RING_SIZE</c> of ring.h.
/// </summary>
public readonly record struct RingGeometry(
    RingLayout Layout,
    int PageOrder,
    int ReqProdOffset,
    int ReqEventOffset,
    int RspProdOffset,
    int RspEventOffset,
    int HeaderSize,
    int SlotStride,
    uint Size)
{
    /// <summary>Xen's sring header: req_prod, req_event, rsp_prod, rsp_event, pvt, __pad[44].</summary>
    public const int XenHeaderSize = 64;

    public const int CacheLine = 64;

    /// <summary>
    /// Pages the ring spans: 2^order for <see cref="RingLayout.Xen"/> (ring.h); for the other layouts,
    /// which have Xen's slot count at the same order but a larger header and wider slots, as many
    /// whole pages as the header and the slots need.
    /// </summary>
    public int Pages => Layout == RingLayout.Xen
        ? 1 << PageOrder
        : (int)((HeaderSize + (long)Size * SlotStride + NetifLimits.PageSize - 1) / NetifLimits.PageSize);

    public int Bytes => Pages * NetifLimits.PageSize;

    /// <summary>
    /// The ring of <paramref name="kind"/> in <paramref name="layout"/> at <paramref name="pageOrder"/>:
    /// always Xen's number of slots for 2^order pages, so layouts are compared at equal sizes.
    /// </summary>
    public static unsafe RingGeometry For(RingKind kind, RingLayout layout, int pageOrder)
    {
        if ((uint)pageOrder > NetifLimits.MaxRingPageOrder)
        {
            throw new ArgumentOutOfRangeException(nameof(pageOrder), pageOrder, $"ring-page-order must be 0..{NetifLimits.MaxRingPageOrder}");
        }
        int entry = kind == RingKind.Tx
            ? Math.Max(sizeof(NetifTxRequest), sizeof(NetifTxResponse))
            : Math.Max(sizeof(NetifRxRequest), sizeof(NetifRxResponse));
        int bytes = NetifLimits.PageSize << pageOrder;
        uint slots = RoundDownToPowerOfTwo((uint)((bytes - XenHeaderSize) / entry)); // __CONST_RING_SIZE
        return layout switch
        {
            RingLayout.Xen => new RingGeometry(layout, pageOrder, 0, 4, 8, 12, XenHeaderSize, entry, slots),
            RingLayout.Cacheline => Separated(layout, pageOrder, (int)BitOperations.RoundUpToPowerOf2((uint)entry), slots),
            RingLayout.CachelineSlot => Separated(layout, pageOrder, CacheLine, slots),
            _ => throw new ArgumentOutOfRangeException(nameof(layout)),
        };
    }

    /// <summary>Each index on its own line (a 256-byte header), then <paramref name="slots"/> slots of <paramref name="stride"/> bytes.</summary>
    private static RingGeometry Separated(RingLayout layout, int pageOrder, int stride, uint slots) =>
        new(layout, pageOrder, 0, CacheLine, 2 * CacheLine, 3 * CacheLine, 4 * CacheLine, stride, slots);

    /// <summary>ring.h's <c>__RD32</c>: round down to a power of two (0 stays 0).</summary>
    public static uint RoundDownToPowerOfTwo(uint x) => x == 0 ? 0 : 1u << BitOperations.Log2(x);
}
