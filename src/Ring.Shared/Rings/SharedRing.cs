using System.Runtime.CompilerServices;

namespace Ring.Shared.Rings;

/// <summary>
/// The shared part of one ring: the four free-running indices and the slot array, at an address
/// in mapped memory that the owner keeps mapped for the lifetime of this object.
/// </summary>
public unsafe class SharedRing
{
    private readonly byte* _base;
    private readonly byte* _slots;
    private readonly uint _mask;

    public SharedRing(byte* ringBase, RingGeometry geometry)
    {
        if (ringBase == null)
        {
            throw new ArgumentNullException(nameof(ringBase));
        }
        if (geometry.Size == 0 || (geometry.Size & (geometry.Size - 1)) != 0)
        {
            throw new ArgumentException("ring size must be a power of two", nameof(geometry));
        }
        _base = ringBase;
        _slots = ringBase + geometry.HeaderSize;
        _mask = geometry.Size - 1;
        Geometry = geometry;
    }

    public RingGeometry Geometry { get; }

    /// <summary>RING_SIZE.</summary>
    public uint Size => _mask + 1;

    protected ref uint ReqProd => ref Unsafe.AsRef<uint>(_base + Geometry.ReqProdOffset);
    protected ref uint ReqEvent => ref Unsafe.AsRef<uint>(_base + Geometry.ReqEventOffset);
    protected ref uint RspProd => ref Unsafe.AsRef<uint>(_base + Geometry.RspProdOffset);
    protected ref uint RspEvent => ref Unsafe.AsRef<uint>(_base + Geometry.RspEventOffset);

    /// <summary>Address of slot <c>idx &amp; (size-1)</c>: RING_GET_REQUEST / RING_GET_RESPONSE.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected byte* Slot(uint idx) => _slots + (nint)((idx & _mask) * (uint)Geometry.SlotStride);

    /// <summary>
    /// <c>SHARED_RING_INIT</c>: done by the frontend only. Zeroes the header and sets both event
    /// indices to 1 so the first message notifies.
    /// </summary>
    public void InitShared()
    {
        new Span<byte>(_base, Geometry.HeaderSize).Clear();
        ReqEvent = 1;
        RspEvent = 1;
    }

    /// <summary>
    /// How many responses after <c>rsp_cons</c> the halfway event asks for: half the
    /// <paramref name="outstanding"/> requests plus one, or <paramref name="atLeast"/> if more, at
    /// most all of them (1 when none is outstanding, as the per-response event).
    /// </summary>
    public static uint HalfwayDistance(uint outstanding, uint atLeast) =>
        Math.Clamp(Math.Max((outstanding >> 1) + 1, atLeast), 1, Math.Max(outstanding, 1));

    /// <summary>The producer-side notification test of ring.h: does <paramref name="evt"/> lie in (old, new]?</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool NeedsNotify(uint newProd, uint oldProd, uint evt) => newProd - evt < newProd - oldProd;
}
