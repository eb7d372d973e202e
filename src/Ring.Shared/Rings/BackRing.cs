using System.Runtime.CompilerServices;

namespace Ring.Shared.Rings;

/// <summary>
/// The backend's view of a ring (ring.h <c>struct name##_back_ring</c>): it consumes requests and
/// produces responses. The frontend is untrusted: every index it publishes is checked before use
/// and every request is copied out of shared memory once (XSA-155).
/// </summary>
public sealed unsafe class BackRing<TRequest, TResponse> : SharedRing
    where TRequest : unmanaged
    where TResponse : unmanaged
{
    public BackRing(byte* ringBase, RingGeometry geometry) : base(ringBase, geometry)
    {
        if (sizeof(TRequest) > geometry.SlotStride || sizeof(TResponse) > geometry.SlotStride)
        {
            throw new ArgumentException("slot stride is smaller than the entry", nameof(geometry));
        }
    }

    private uint _rspProdPvt;
    private uint _reqCons;

    /// <summary>Private response producer (<c>rsp_prod_pvt</c>).</summary>
    public uint RspProdPvt { get => _rspProdPvt; set => _rspProdPvt = value; }

    /// <summary>Request consumer (<c>req_cons</c>).</summary>
    public uint ReqCons { get => _reqCons; set => _reqCons = value; }

    /// <summary>
    /// The six indices for an observer on another thread (netbackctl's <c>show</c>): each read once,
    /// with acquire semantics, never written. The mapping must stay mapped for the call.
    /// </summary>
    public RingIndices ReadIndices() => new(
        Volatile.Read(ref ReqProd), Volatile.Read(ref _reqCons), Volatile.Read(ref RspProd),
        Volatile.Read(ref _rspProdPvt), Volatile.Read(ref ReqEvent), Volatile.Read(ref RspEvent));

    /// <summary>
    /// <c>BACK_RING_ATTACH</c> at the shared <c>rsp_prod</c>, as Linux netback does so that a
    /// reconnecting frontend can resume.
    /// </summary>
    public void Attach()
    {
        uint start = Volatile.Read(ref RspProd);
        RspProdPvt = start;
        ReqCons = start;
    }

    /// <summary>The frontend's published <c>req_prod</c> (acquire: its requests are visible after this read).</summary>
    public uint ReadRequestProducer() => Volatile.Read(ref ReqProd);

    /// <summary>
    /// <c>RING_REQUEST_PROD_OVERFLOW</c>: the frontend claims more outstanding requests than the ring
    /// holds. Netback treats this as fatal ("impossible number of requests").
    /// </summary>
    public bool RequestProducerOverflow(uint prod) => prod - RspProdPvt > Size;

    /// <summary>
    /// <c>RING_HAS_UNCONSUMED_REQUESTS</c> for a producer snapshot: capped so the backend never reads
    /// further ahead of its own responses than the ring size.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint UnconsumedRequests(uint prod) => Math.Min(prod - ReqCons, Size - (ReqCons - RspProdPvt));

    /// <summary><c>RING_HAS_UNCONSUMED_REQUESTS</c> with a fresh producer read.</summary>
    public uint UnconsumedRequests() => UnconsumedRequests(ReadRequestProducer());

    /// <summary><c>RING_REQUEST_CONS_OVERFLOW</c>.</summary>
    public bool RequestConsumerOverflow(uint cons) => cons - RspProdPvt >= Size;

    /// <summary><c>RING_COPY_REQUEST</c>: one snapshot of the slot; validate and use only the copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TRequest CopyRequest(uint idx) => Unsafe.ReadUnaligned<TRequest>(Slot(idx));

    /// <summary>Writes a response in slot <paramref name="idx"/> (RX responses go in their request's slot).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteResponse(uint idx, in TResponse response) => Unsafe.WriteUnaligned(Slot(idx), response);

    /// <summary>Writes the next response at <c>rsp_prod_pvt</c> and advances it (not yet visible).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Produce(in TResponse response)
    {
        Unsafe.WriteUnaligned(Slot(RspProdPvt), response);
        RspProdPvt++;
    }

    /// <summary>
    /// <c>RING_PUSH_RESPONSES_AND_CHECK_NOTIFY</c>: publish <c>rsp_prod</c> (release), full fence,
    /// notify only if the frontend's <c>rsp_event</c> lies in (old, new].
    /// </summary>
    public bool PushResponsesAndCheckNotify()
    {
        uint old = RspProd;
        uint now = RspProdPvt;
        Volatile.Write(ref RspProd, now);
        Interlocked.MemoryBarrier();
        return NeedsNotify(now, old, Volatile.Read(ref RspEvent));
    }

    /// <summary>
    /// <c>RING_PUSH_RESPONSES</c>: publish <c>rsp_prod</c> (release) without asking the frontend whether
    /// it wants a notification (event suppression off: the caller notifies anyway), then fence.
    /// </summary>
    public void PushResponses()
    {
        Volatile.Write(ref RspProd, RspProdPvt);
        Interlocked.MemoryBarrier();
    }

    /// <summary>
    /// <c>RING_FINAL_CHECK_FOR_REQUESTS</c>: before sleeping, ask for a notification at the next request
    /// (<c>req_event = req_cons + 1</c>), fence, and look again.
    /// </summary>
    public bool FinalCheckForRequests()
    {
        if (UnconsumedRequests() != 0)
        {
            return true;
        }
        Volatile.Write(ref ReqEvent, ReqCons + 1);
        Interlocked.MemoryBarrier();
        return UnconsumedRequests() != 0;
    }

    /// <summary>Arms <c>req_event</c> at an explicit index (netback RX waits for enough slots this way).</summary>
    public void SetRequestEvent(uint evt)
    {
        Volatile.Write(ref ReqEvent, evt);
        Interlocked.MemoryBarrier();
    }
}
