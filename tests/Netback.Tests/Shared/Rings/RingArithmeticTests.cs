using Ring.Shared.Abi;
using Ring.Shared.Rings;
using Netback.Tests.Support;

namespace Netback.Tests.Shared.Rings;

/// <summary>Producing and consuming, free space and the overflow guards of ring.h (fact sheet §1.3).</summary>
public sealed unsafe class RingArithmeticTests
{
    [Theory]
    [InlineData(RingLayout.Xen, 0)]
    [InlineData(RingLayout.Xen, 2)]
    [InlineData(RingLayout.Cacheline, 0)]
    [InlineData(RingLayout.Cacheline, 4)]
    public void Init_writes_shared_ring_init_header(RingLayout layout, int order)
    {
        using var r = new RingPair(layout, order);
        r.Memory.WriteU32(r.Geometry.ReqProdOffset, 0xdead); // dirt that Init must clear
        r.Front.Init();
        Assert.Equal((0u, 1u, 0u, 1u), (r.ReqProd, r.ReqEvent, r.RspProd, r.RspEvent));
        Assert.Equal(r.Size, r.Front.FreeRequests);
        Assert.False(r.Front.IsFull);
    }

    [Theory]
    [InlineData(RingLayout.Xen)]
    [InlineData(RingLayout.Cacheline)]
    public void Requests_become_visible_only_when_pushed_and_arrive_intact(RingLayout layout)
    {
        using var r = new RingPair(layout);
        r.ProduceRequests(100, 10);
        Assert.Equal(r.Size - 10, r.Front.FreeRequests);
        Assert.Equal(0u, r.ReqProd);
        Assert.Equal(0u, r.Back.UnconsumedRequests());

        r.Front.PushRequests();
        Assert.Equal(10u, r.ReqProd);
        Assert.Equal(10u, r.Back.UnconsumedRequests());

        var got = r.ConsumeAndRespond();
        Assert.Equal(Enumerable.Range(100, 10).Select(i => RingPair.Request((uint)i)), got);
        Assert.Equal(0u, r.Back.UnconsumedRequests());
        // Responses occupy the slots until the frontend consumes them.
        Assert.Equal(r.Size - 10, r.Front.FreeRequests);
        Assert.Equal(0u, r.Front.UnconsumedResponses);

        r.Back.PushResponsesAndCheckNotify();
        Assert.Equal(10u, r.Front.UnconsumedResponses);
        var rsps = r.ConsumeResponses();
        Assert.Equal(Enumerable.Range(100, 10).Select(i => (ushort)i), rsps.Select(x => x.Id));
        Assert.All(rsps, x => Assert.Equal(NetifStatus.Okay, x.Status));
        Assert.Equal(r.Size, r.Front.FreeRequests);
    }

    [Fact]
    public void Ring_is_full_after_size_requests_and_slots_are_reused_modulo_size()
    {
        using var r = new RingPair();
        r.ProduceRequests(0, (int)r.Size);
        Assert.True(r.Front.IsFull);
        Assert.Equal(0u, r.Front.FreeRequests);
        r.Front.PushRequests();
        Assert.Equal((int)r.Size, r.ConsumeAndRespond().Count);
        r.Back.PushResponsesAndCheckNotify();
        Assert.Equal(0u, r.Front.FreeRequests); // answered but not yet consumed by the frontend
        Assert.Equal(0, r.Front.CopyResponse(r.Front.RspCons++).Id);
        Assert.Equal(1u, r.Front.FreeRequests);

        // Request number Size lands in slot 0 again.
        r.Front.Produce(RingPair.Request(12345));
        r.Front.PushRequests();
        Assert.Equal(12345u, r.Back.CopyRequest(r.Size).Gref);
        Assert.Equal(12345u, r.Back.CopyRequest(0).Gref);
    }

    [Fact]
    public void Unconsumed_requests_are_capped_by_unanswered_slots()
    {
        using var r = new RingPair();
        r.ProduceRequests(0, (int)r.Size);
        r.Front.PushRequests();
        // The backend consumes Size - 3 requests without answering any.
        for (int i = 0; i < r.Size - 3; i++)
        {
            r.Back.CopyRequest(r.Back.ReqCons++);
        }
        Assert.Equal(3u, r.Back.UnconsumedRequests());

        // A hostile frontend claims 100 more: the backend still sees only 3, because the slots
        // beyond them hold requests it has not answered yet.
        r.WriteReqProd(r.Size + 100);
        Assert.Equal(3u, r.Back.UnconsumedRequests());
        Assert.Equal(3u, r.Back.UnconsumedRequests(r.Size + 100));
        Assert.Equal(1u, r.Back.UnconsumedRequests(r.Size - 2));

        r.Back.ReqCons += 3;
        Assert.Equal(0u, r.Back.UnconsumedRequests());
        Assert.True(r.Back.RequestConsumerOverflow(r.Back.ReqCons));
        Assert.False(r.Back.RequestConsumerOverflow(r.Back.ReqCons - 1));

        // Answering frees room again.
        r.Back.Produce(default);
        Assert.Equal(1u, r.Back.UnconsumedRequests());
    }

    [Fact]
    public void Request_producer_overflow_flags_more_outstanding_than_the_ring_holds()
    {
        using var r = new RingPair(start: 1000);
        Assert.False(r.Back.RequestProducerOverflow(1000));
        Assert.False(r.Back.RequestProducerOverflow(1000 + r.Size));
        Assert.True(r.Back.RequestProducerOverflow(1000 + r.Size + 1));
        // A producer index behind the responses is a huge unsigned distance: also impossible.
        Assert.True(r.Back.RequestProducerOverflow(999));

        r.Back.RspProdPvt += 10;
        Assert.False(r.Back.RequestProducerOverflow(1010 + r.Size));
        Assert.True(r.Back.RequestProducerOverflow(1011 + r.Size));
    }

    [Fact]
    public void Response_producer_overflow_flags_more_responses_than_requests_fit()
    {
        using var r = new RingPair(start: 77);
        Assert.False(r.Front.ResponseProducerOverflow(77));
        Assert.False(r.Front.ResponseProducerOverflow(77 + r.Size));
        Assert.True(r.Front.ResponseProducerOverflow(78 + r.Size));
        Assert.True(r.Front.ResponseProducerOverflow(76));
        r.Front.RspCons += 5;
        Assert.False(r.Front.ResponseProducerOverflow(82 + r.Size));
        Assert.True(r.Front.ResponseProducerOverflow(83 + r.Size));
    }

    [Fact]
    public void Back_attach_resumes_at_the_shared_response_producer()
    {
        using var r = new RingPair(start: 500);
        r.ProduceRequests(0, 4);
        r.Front.PushRequests();
        r.ConsumeAndRespond();
        r.Back.PushResponsesAndCheckNotify();

        // A new backend (reconnect) attaches where the old one left off.
        var again = new BackRing<NetifTxRequest, NetifTxResponse>(r.Memory.Pointer, r.Geometry);
        again.Attach();
        Assert.Equal(504u, again.ReqCons);
        Assert.Equal(504u, again.RspProdPvt);
        Assert.Equal(0u, again.UnconsumedRequests());
    }

    [Fact]
    public void Constructors_refuse_entries_larger_than_the_slot()
    {
        using var mem = new AlignedMemory(4096);
        var rx = RingGeometry.For(RingKind.Rx, RingLayout.Xen, 0);
        Assert.Throws<ArgumentException>(() => new FrontRing<NetifTxRequest, NetifTxResponse>(mem.Pointer, rx));
        Assert.Throws<ArgumentException>(() => new BackRing<NetifTxRequest, NetifTxResponse>(mem.Pointer, rx));
        Assert.Throws<ArgumentNullException>(() => new FrontRing<NetifRxRequest, NetifRxResponse>(null, rx));
        Assert.Throws<ArgumentException>(() => new SharedRing(mem.Pointer, rx with { Size = 100 }));
        Assert.Throws<ArgumentException>(() => new SharedRing(mem.Pointer, rx with { Size = 0 }));
    }

    [Fact]
    public void Rx_responses_overwrite_their_request_slot()
    {
        var g = RingGeometry.For(RingKind.Rx, RingLayout.Xen, 0);
        using var mem = new AlignedMemory(g.Bytes);
        var front = new FrontRing<NetifRxRequest, NetifRxResponse>(mem.Pointer, g);
        var back = new BackRing<NetifRxRequest, NetifRxResponse>(mem.Pointer, g);
        front.Init();
        back.Attach();
        front.Request(front.ReqProdPvt) = new NetifRxRequest { Id = 7, Gref = 42 };
        front.ReqProdPvt++;
        front.PushRequests();
        var req = back.CopyRequest(back.ReqCons++);
        Assert.Equal((7, 42u), (req.Id, req.Gref));
        back.WriteResponse(0, new NetifRxResponse { Id = 7, Offset = 0, Flags = (ushort)NetRxFlags.DataValidated, Status = 1514 });
        back.RspProdPvt++;
        back.PushResponsesAndCheckNotify();
        var rsp = front.CopyResponse(front.RspCons++);
        Assert.Equal((7, (ushort)NetRxFlags.DataValidated, (short)1514), (rsp.Id, rsp.Flags, rsp.Status));
    }
}
