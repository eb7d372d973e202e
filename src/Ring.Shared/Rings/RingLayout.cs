namespace Ring.Shared.Rings;

/// <summary>
/// How a shared ring is laid out; negotiated with the <c>ring-layout</c> key. Every layout has the
/// same number of slots at a given <c>ring-page-order</c> (Xen's <c>__CONST_RING_SIZE</c> of
/// 2^order pages), so layouts compare at equal ring sizes; the non-Xen layouts span as many pages
/// as their header and padded slots need (<see cref="RingGeometry.Pages"/>).
/// </summary>
public enum RingLayout
{
    /// <summary>Xen's <c>sring</c>: four indices in the first 16 bytes, 64-byte header, packed slots.</summary>
    Xen = 0,
    /// <summary>
    /// The roadmap's "separate ring indices" and "cache alignment": each index on its own 64-byte line,
    /// slots padded to a power of two so none straddles a cache line (4 TX or 8 RX slots share a line).
    /// </summary>
    Cacheline = 1,
    /// <summary>
    /// As <see cref="Cacheline"/>, and every slot padded to a whole 64-byte line: producer and consumer
    /// never share a line unless they touch the same slot (no false sharing between neighbours).
    /// </summary>
    CachelineSlot = 2,
}
