namespace Ring.Shared.Rings;

/// <summary>How a shared ring page is laid out; negotiated with the <c>ring-layout</c> key.</summary>
public enum RingLayout
{
    /// <summary>Xen's <c>sring</c>: four indices in the first 16 bytes, 64-byte header, packed slots.</summary>
    Xen = 0,
    /// <summary>
    /// The roadmap's "separate ring indices" and "cache alignment": each index on its own 64-byte line,
    /// slots padded to a power of two so none straddles a cache line.
    /// </summary>
    Cacheline = 1,
}
