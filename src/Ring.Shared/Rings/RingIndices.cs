namespace Ring.Shared.Rings;

/// <summary>
/// One look at a back ring's six indices, ring.h's names: the four of the shared page
/// (<c>req_prod</c>, <c>req_event</c>, <c>rsp_prod</c>, <c>rsp_event</c>) and the backend's private
/// <c>req_cons</c> and <c>rsp_prod_pvt</c>. Taken by an observer while the owner runs, so the six are
/// each tear-free but not one instant: an index may be a batch ahead of another.
/// </summary>
public readonly record struct RingIndices(uint ReqProd, uint ReqCons, uint RspProd, uint RspProdPvt, uint ReqEvent, uint RspEvent)
{
    /// <summary>Requests published and not consumed yet (<c>req_prod - req_cons</c>; on an RX ring, the posted buffers).</summary>
    public uint Unconsumed => unchecked(ReqProd - ReqCons);
}
