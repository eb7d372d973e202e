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

    public int Pages => 1 << PageOrder;

    public int Bytes => Pages * NetifLimits.PageSize;

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
        return layout switch
        {
            RingLayout.Xen => new RingGeometry(layout, pageOrder, 0, 4, 8, 12, XenHeaderSize, entry,
                RoundDownToPowerOfTwo((uint)((bytes - XenHeaderSize) / entry))),
            RingLayout.Cacheline => CachelineGeometry(pageOrder, entry, bytes),
            _ => throw new ArgumentOutOfRangeException(nameof(layout)),
        };
    }

    private static RingGeometry CachelineGeometry(int pageOrder, int entry, int bytes)
    {
        int stride = (int)BitOperations.RoundUpToPowerOf2((uint)entry);
        const int header = 4 * CacheLine;
        return new RingGeometry(RingLayout.Cacheline, pageOrder, 0, CacheLine, 2 * CacheLine, 3 * CacheLine, header, stride,
            RoundDownToPowerOfTwo((uint)((bytes - header) / stride)));
    }

    /// <summary>ring.h's <c>__RD32</c>: round down to a power of two (0 stays 0).</summary>
    public static uint RoundDownToPowerOfTwo(uint x) => x == 0 ? 0 : 1u << BitOperations.Log2(x);
}
