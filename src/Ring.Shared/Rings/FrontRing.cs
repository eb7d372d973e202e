using System.Runtime.CompilerServices;

namespace Ring.Shared.Rings;

/// <summary>
/// The frontend's view of a ring (ring.h <c>struct name##_front_ring</c>): it produces requests and
/// consumes responses. Owned by one thread; indices are free-running 32-bit counters.
/// </summary>
public sealed unsafe class FrontRing<TRequest, TResponse> : SharedRing
    where TRequest : unmanaged
    where TResponse : unmanaged
{
    public FrontRing(byte* ringBase, RingGeometry geometry) : base(ringBase, geometry)
    {
        if (sizeof(TRequest) > geometry.SlotStride || sizeof(TResponse) > geometry.SlotStride)
        {
            throw new ArgumentException("slot stride is smaller than the entry", nameof(geometry));
        }
    }

    /// <summary>Private request producer (<c>req_prod_pvt</c>).</summary>
    public uint ReqProdPvt { get; set; }

    /// <summary>Response consumer (<c>rsp_cons</c>).</summary>
    public uint RspCons { get; set; }

    /// <summary><c>FRONT_RING_INIT</c> after <c>SHARED_RING_INIT</c>; <paramref name="start"/> lets tests begin near 2^32.</summary>
    public void Init(uint start = 0)
    {
        InitShared();
        ReqProd = start;
        RspProd = start;
        ReqEvent = start + 1;
        RspEvent = start + 1;
        ReqProdPvt = start;
        RspCons = start;
    }

    /// <summary><c>RING_FREE_REQUESTS</c>.</summary>
    public uint FreeRequests => Size - (ReqProdPvt - RspCons);

    /// <summary><c>RING_FULL</c>.</summary>
    public bool IsFull => FreeRequests == 0;

    /// <summary>The slot of request <paramref name="idx"/>, to be filled before pushing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TRequest Request(uint idx) => ref Unsafe.AsRef<TRequest>(Slot(idx));

    /// <summary>Writes the next request at <c>req_prod_pvt</c> and advances it (not yet visible).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Produce(in TRequest request)
    {
        Unsafe.WriteUnaligned(Slot(ReqProdPvt), request);
        ReqProdPvt++;
    }

    /// <summary><c>RING_PUSH_REQUESTS</c>: publish without asking whether to notify.</summary>
    public void PushRequests() => Volatile.Write(ref ReqProd, ReqProdPvt);

    /// <summary>
    /// <c>RING_PUSH_REQUESTS_AND_CHECK_NOTIFY</c>: publish <c>req_prod</c> (release: slots visible first),
    /// full fence, then notify only if the backend's <c>req_event</c> lies in (old, new].
    /// </summary>
    public bool PushRequestsAndCheckNotify()
    {
        uint old = ReqProd;
        uint now = ReqProdPvt;
        Volatile.Write(ref ReqProd, now);
        Interlocked.MemoryBarrier();
        return NeedsNotify(now, old, Volatile.Read(ref ReqEvent));
    }

    /// <summary>The backend's published <c>rsp_prod</c> (acquire: responses up to it are visible).</summary>
    public uint ReadResponseProducer() => Volatile.Read(ref RspProd);

    /// <summary><c>RING_HAS_UNCONSUMED_RESPONSES</c>.</summary>
    public uint UnconsumedResponses => ReadResponseProducer() - RspCons;

    /// <summary><c>RING_RESPONSE_PROD_OVERFLOW</c>: the backend claims more responses than there were requests.</summary>
    public bool ResponseProducerOverflow(uint prod) => prod - RspCons > Size;

    /// <summary><c>RING_COPY_RESPONSE</c>: one snapshot of the slot into private memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TResponse CopyResponse(uint idx) => Unsafe.ReadUnaligned<TResponse>(Slot(idx));

    /// <summary>
    /// <c>RING_FINAL_CHECK_FOR_RESPONSES</c>: before sleeping, ask to be notified at the next response
    /// (<c>rsp_event = rsp_cons + 1</c>), fence, and look again so a response that raced in is not missed.
    /// </summary>
    public bool FinalCheckForResponses()
    {
        if (UnconsumedResponses != 0)
        {
            return true;
        }
        Volatile.Write(ref RspEvent, RspCons + 1);
        Interlocked.MemoryBarrier();
        return UnconsumedResponses != 0;
    }

    /// <summary>
    /// The final check of xen-netfront's <c>xennet_tx_buf_gc</c> (Linux 2.6–4.x): ask for a call only
    /// once about half of the published, unanswered requests are answered
    /// (<c>rsp_event = rsp_cons + ((req_prod - rsp_cons) &gt;&gt; 1) + 1</c>), or later if the waiter
    /// needs <paramref name="atLeast"/> responses back before it can go on (an earlier call would
    /// only wake it to sleep again), but never beyond the last outstanding request (that event would
    /// never come). Fence and look again, as <see cref="FinalCheckForResponses"/>. True when
    /// responses are waiting.
    /// </summary>
    public bool FinalCheckForResponsesHalfway(uint atLeast)
    {
        if (UnconsumedResponses != 0)
        {
            return true;
        }
        Volatile.Write(ref RspEvent, RspCons + HalfwayDistance(Volatile.Read(ref ReqProd) - RspCons, atLeast));
        Interlocked.MemoryBarrier();
        return UnconsumedResponses != 0;
    }

    /// <summary>
    /// Arms <c>rsp_event</c> at an explicit index and fences (the frontend twin of
    /// <see cref="BackRing{TRequest, TResponse}.SetRequestEvent"/>): a consumer waiting for a
    /// multi-slot packet to complete asks to be woken only once it is all there.
    /// </summary>
    public void SetResponseEvent(uint evt)
    {
        Volatile.Write(ref RspEvent, evt);
        Interlocked.MemoryBarrier();
    }
}
