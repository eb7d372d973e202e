using Ring.Shared.Abi;
using Ring.Shared.Rings;
using Netback.Tests.Support;

namespace Netback.Tests.Shared.Rings;

/// <summary>Free-running 32-bit indices crossing 2^32 (fact sheet §1.3: RING_IDX is unsigned and wraps).</summary>
public sealed class WrapAroundTests
{
    [Theory]
    [InlineData(RingLayout.Xen, 0)]
    [InlineData(RingLayout.Xen, 1)]
    [InlineData(RingLayout.Cacheline, 0)]
    public void Traffic_runs_unchanged_across_the_wrap(RingLayout layout, int order)
    {
        const uint start = uint.MaxValue - 5;
        using var r = new RingPair(layout, order, start);
        Assert.Equal((start, start + 1, start, start + 1), (r.ReqProd, r.ReqEvent, r.RspProd, r.RspEvent));
        Assert.Equal(start, r.Back.ReqCons);
        Assert.Equal(start, r.Back.RspProdPvt);

        uint sent = 0, answered = 0, received = 0;
        int notifications = 0, wakeups = 0;
        var batches = new[] { 1, 3, 7, 2, 13, (int)r.Size, 5 };
        for (int round = 0; sent < 400; round++)
        {
            int batch = (int)Math.Min(batches[round % batches.Length], r.Front.FreeRequests);
            r.ProduceRequests(sent, batch);
            sent += (uint)batch;
            Assert.Equal(r.Size - (sent - received), r.Front.FreeRequests);
            if (r.Front.PushRequestsAndCheckNotify())
            {
                notifications++;
            }

            // The backend answers in two uneven steps, with the ring.h final check when it runs dry.
            foreach (int step in new[] { batch / 2, int.MaxValue })
            {
                foreach (var req in r.ConsumeAndRespond(step))
                {
                    Assert.Equal(answered, req.Gref);
                    Assert.Equal((ushort)answered, req.Id);
                    answered++;
                }
                Assert.False(r.Back.RequestProducerOverflow(r.Back.ReadRequestProducer()));
                if (r.Back.PushResponsesAndCheckNotify())
                {
                    wakeups++;
                }
            }
            Assert.False(r.Back.FinalCheckForRequests());
            Assert.Equal(r.Back.ReqCons + 1, r.ReqEvent);

            Assert.False(r.Front.ResponseProducerOverflow(r.Front.ReadResponseProducer()));
            foreach (var rsp in r.ConsumeResponses())
            {
                Assert.Equal((ushort)received, rsp.Id);
                received++;
            }
            Assert.False(r.Front.FinalCheckForResponses());
        }

        Assert.Equal(sent, received);
        Assert.Equal(start + sent, r.ReqProd); // wrapped: a small number again
        Assert.True(r.ReqProd < start);
        Assert.Equal(start + sent, r.RspProd);
        Assert.Equal(r.Size, r.Front.FreeRequests);
        // The backend re-armed after every batch, so every push woke it; same for the frontend.
        Assert.Equal(notifications, wakeups);
        Assert.True(notifications > 0);
    }

    [Fact]
    public void Arithmetic_holds_exactly_at_the_wrap()
    {
        using var r = new RingPair(start: uint.MaxValue);
        r.ProduceRequests(0, 3);
        Assert.Equal(2u, r.Front.ReqProdPvt); // 0xFFFFFFFF + 3
        Assert.Equal(r.Size - 3, r.Front.FreeRequests);
        Assert.True(r.Front.PushRequestsAndCheckNotify()); // req_event = 0 is in (0xFFFFFFFF, 1]
        Assert.Equal(3u, r.Back.UnconsumedRequests());
        Assert.False(r.Back.RequestProducerOverflow(1));
        Assert.True(r.Back.RequestProducerOverflow(uint.MaxValue + r.Size + 1));
        Assert.Equal(0u, r.Back.CopyRequest(uint.MaxValue).Gref);
        Assert.Equal(1u, r.Back.CopyRequest(0).Gref);
        Assert.Equal(2u, r.Back.CopyRequest(1).Gref);
        var got = r.ConsumeAndRespond();
        Assert.Equal(new uint[] { 0, 1, 2 }, got.Select(q => q.Gref));
        Assert.False(r.Back.FinalCheckForRequests());
        Assert.Equal(3u, r.ReqEvent); // req_cons (2) + 1
    }

    [Fact]
    public void Slot_of_index_is_index_modulo_size_across_the_wrap()
    {
        using var r = new RingPair(start: uint.MaxValue - 1);
        // Indices 0xFFFFFFFE and 0xFFFFFFFF are the last two slots, 0 and 1 the first two.
        r.ProduceRequests(10, 4);
        r.Front.PushRequests();
        var geometry = r.Geometry;
        unsafe
        {
            var slots = new Span<NetifTxRequest>(r.Memory.Pointer + geometry.HeaderSize, (int)geometry.Size);
            Assert.Equal(10u, slots[(int)geometry.Size - 2].Gref);
            Assert.Equal(11u, slots[(int)geometry.Size - 1].Gref);
            Assert.Equal(12u, slots[0].Gref);
            Assert.Equal(13u, slots[1].Gref);
        }
    }
}
