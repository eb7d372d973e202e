using CsCheck;
using Ring.Shared.Abi;
using Ring.Shared.Rings;
using Netback.Tests.Support;

namespace Netback.Tests.Shared.Rings;

/// <summary>Property checks of the index arithmetic against a model in 64-bit counters that never wrap.</summary>
public sealed class RingPropertyTests
{
    [Fact]
    public void NeedsNotify_matches_event_in_old_new_for_any_indices() =>
        Gen.Select(Gen.UInt, Gen.UInt[0, 5000], Gen.Long[-100, 10000]).Sample((old, distance, k) =>
        {
            // evt = old + k (mod 2^32): it lies in (old, old + distance] iff 1 <= k <= distance.
            uint evt = unchecked(old + (uint)k);
            bool expected = k >= 1 && k <= distance && distance > 0;
            return SharedRing.NeedsNotify(unchecked(old + distance), old, evt) == expected;
        }, iter: 20_000);

    [Fact]
    public void Overflow_guards_match_the_model_for_any_start() =>
        Gen.Select(Gen.UInt, Gen.Long[-2000, 2000]).Sample((start, delta) =>
        {
            using var r = new RingPair(start: start);
            uint prod = unchecked(start + (uint)delta);
            bool tooMany = delta < 0 || delta > r.Size;
            return r.Back.RequestProducerOverflow(prod) == tooMany
                && r.Front.ResponseProducerOverflow(prod) == tooMany;
        }, iter: 2_000);

    private enum Op
    {
        Produce,
        Push,
        Consume,
        Respond,
        PushResponses,
        Collect,
    }

    /// <summary>
    /// Random interleavings of the six ring operations from a random start index: the ring's view
    /// (free slots, unconsumed counts, slot contents) must equal the model's at every step.
    /// </summary>
    [Fact]
    public void Random_operation_sequences_agree_with_a_model() =>
        Gen.Select(Gen.UInt, Gen.Select(Gen.Enum<Op>(), Gen.Int[1, 300]).Array[1, 200], Gen.Int[0, 2])
            .Sample((start, ops, order) =>
        {
            using var r = new RingPair(order == 2 ? RingLayout.Cacheline : RingLayout.Xen, order & 1, start);
            // Model: 64-bit counts since start.
            long produced = 0, pushed = 0, consumed = 0, responded = 0, rspPushed = 0, collected = 0;
            var pendingIds = new Queue<ushort>();
            foreach (var (op, n) in ops)
            {
                switch (op)
                {
                    case Op.Produce:
                        long free = r.Size - (produced - collected);
                        for (int i = 0; i < Math.Min(n, free); i++, produced++)
                        {
                            r.Front.Produce(RingPair.Request((uint)produced));
                        }
                        break;
                    case Op.Push:
                        bool notify = r.Front.PushRequestsAndCheckNotify();
                        if (notify && produced == pushed)
                        {
                            return false; // nothing new must never notify
                        }
                        pushed = produced;
                        break;
                    case Op.Consume:
                        long available = Math.Min(pushed - consumed, r.Size - (consumed - responded));
                        if (r.Back.UnconsumedRequests() != available)
                        {
                            return false;
                        }
                        for (int i = 0; i < Math.Min(n, available); i++, consumed++)
                        {
                            var req = r.Back.CopyRequest(r.Back.ReqCons);
                            r.Back.ReqCons++;
                            if (req.Gref != (uint)consumed || req.Id != (ushort)consumed)
                            {
                                return false;
                            }
                            pendingIds.Enqueue(req.Id);
                        }
                        break;
                    case Op.Respond:
                        for (int i = 0; i < n && pendingIds.Count > 0; i++, responded++)
                        {
                            r.Back.Produce(new NetifTxResponse { Id = pendingIds.Dequeue(), Status = NetifStatus.Okay });
                        }
                        break;
                    case Op.PushResponses:
                        r.Back.PushResponsesAndCheckNotify();
                        rspPushed = responded;
                        break;
                    case Op.Collect:
                        if (r.Front.UnconsumedResponses != rspPushed - collected)
                        {
                            return false;
                        }
                        for (int i = 0; i < n && collected < rspPushed; i++, collected++)
                        {
                            if (r.Front.CopyResponse(r.Front.RspCons).Id != (ushort)collected)
                            {
                                return false;
                            }
                            r.Front.RspCons++;
                        }
                        break;
                }
                if (r.Front.FreeRequests != r.Size - (produced - collected)
                    || r.Front.IsFull != (produced - collected == r.Size)
                    || r.Back.RequestProducerOverflow(r.Back.ReadRequestProducer())
                    || r.Front.ResponseProducerOverflow(r.Front.ReadResponseProducer())
                    || r.ReqProd != unchecked(start + (uint)pushed)
                    || r.RspProd != unchecked(start + (uint)rspPushed))
                {
                    return false;
                }
            }
            return true;
        }, iter: 300);
}
