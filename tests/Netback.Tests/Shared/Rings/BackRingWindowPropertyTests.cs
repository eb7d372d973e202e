using CsCheck;
using Netback.Tests.Support;

namespace Netback.Tests.Shared.Rings;

/// <summary>
/// The backend's consumption window across the 2^32 wrap, for any req_prod a frontend may publish:
/// the requests it reads are always within one ring of rsp_prod_pvt (so it never reads a slot whose
/// response it has not written yet), and for an honest req_prod it sees exactly what was published.
/// </summary>
public sealed class BackRingWindowPropertyTests
{
    [Fact]
    public void Unconsumed_requests_never_leave_the_ring_window_for_any_req_prod() =>
        Gen.Select(Gen.UInt, Gen.Int[0, 256], Gen.UInt).Sample((rspProdPvt, ahead, prod) =>
        {
            using var r = new RingPair();
            r.Back.RspProdPvt = rspProdPvt;
            r.Back.ReqCons = unchecked(rspProdPvt + (uint)ahead);
            uint n = r.Back.UnconsumedRequests(prod);
            // [req_cons, req_cons + n) must lie in [rsp_prod_pvt, rsp_prod_pvt + size)
            return (ulong)ahead + n <= r.Size;
        }, iter: 20_000);

    [Fact]
    public void Honest_req_prod_shows_exactly_what_was_published_across_the_wrap() =>
        Gen.Select(Gen.UInt[uint.MaxValue - 600, uint.MaxValue], Gen.Int[0, 256], Gen.Int[0, 256]).Sample((rspProdPvt, consumed, published) =>
        {
            using var r = new RingPair();
            int c = Math.Min(consumed, published); // the backend cannot have consumed more than was published
            r.Back.RspProdPvt = rspProdPvt;
            r.Back.ReqCons = unchecked(rspProdPvt + (uint)c);
            uint prod = unchecked(rspProdPvt + (uint)published);
            return !r.Back.RequestProducerOverflow(prod)
                && r.Back.UnconsumedRequests(prod) == (uint)(published - c);
        }, iter: 20_000);

    [Fact]
    public void Overflow_checks_agree_with_64_bit_arithmetic_at_the_wrap() =>
        Gen.Select(Gen.UInt[uint.MaxValue - 600, uint.MaxValue], Gen.Long[-1000, 1000]).Sample((rspProdPvt, delta) =>
        {
            using var r = new RingPair();
            r.Back.RspProdPvt = rspProdPvt;
            uint index = unchecked(rspProdPvt + (uint)delta);
            bool prodOverflow = delta < 0 || delta > r.Size;
            bool consOverflow = delta < 0 || delta >= r.Size;
            return r.Back.RequestProducerOverflow(index) == prodOverflow
                && r.Back.RequestConsumerOverflow(index) == consOverflow;
        }, iter: 20_000);
}
