using Ring.Shared.Rings;
using Netback.Tests.Support;

namespace Netback.Tests.Shared.Rings;

/// <summary>Notification hold-off: *_AND_CHECK_NOTIFY and FINAL_CHECK (fact sheet §1.4).</summary>
public sealed class NotificationTests
{
    [Theory]
    // (old, new] = (10, 15]
    [InlineData(10u, 15u, 11u, true)]
    [InlineData(10u, 15u, 15u, true)]
    [InlineData(10u, 15u, 13u, true)]
    [InlineData(10u, 15u, 10u, false)]
    [InlineData(10u, 15u, 16u, false)]
    [InlineData(10u, 15u, 0u, false)]
    [InlineData(10u, 15u, 1000u, false)]
    // Nothing new: never notify.
    [InlineData(10u, 10u, 10u, false)]
    [InlineData(10u, 10u, 11u, false)]
    // Across the 2^32 wrap: (0xFFFFFFFE, 2].
    [InlineData(0xFFFF_FFFEu, 2u, 0xFFFF_FFFFu, true)]
    [InlineData(0xFFFF_FFFEu, 2u, 0u, true)]
    [InlineData(0xFFFF_FFFEu, 2u, 2u, true)]
    [InlineData(0xFFFF_FFFEu, 2u, 3u, false)]
    [InlineData(0xFFFF_FFFEu, 2u, 0xFFFF_FFFEu, false)]
    public void NeedsNotify_iff_event_in_old_new(uint oldProd, uint newProd, uint evt, bool expected) =>
        Assert.Equal(expected, SharedRing.NeedsNotify(newProd, oldProd, evt));

    [Theory]
    [InlineData(0u, 5u, 1u, true)]
    [InlineData(0u, 5u, 5u, true)]
    [InlineData(0u, 5u, 6u, false)]
    [InlineData(3u, 5u, 3u, false)]
    [InlineData(3u, 5u, 4u, true)]
    [InlineData(3u, 5u, 2u, false)]
    public void Push_requests_notifies_iff_req_event_in_old_new(uint before, uint after, uint reqEvent, bool expected)
    {
        using var r = new RingPair();
        r.ProduceRequests(0, (int)before);
        r.Front.PushRequests();
        r.Back.SetRequestEvent(reqEvent);
        r.ProduceRequests(before, (int)(after - before));
        Assert.Equal(expected, r.Front.PushRequestsAndCheckNotify());
        Assert.Equal(after, r.ReqProd);
    }

    [Theory]
    [InlineData(0u, 4u, 1u, true)]
    [InlineData(0u, 4u, 4u, true)]
    [InlineData(0u, 4u, 5u, false)]
    [InlineData(2u, 4u, 2u, false)]
    [InlineData(2u, 4u, 3u, true)]
    public void Push_responses_notifies_iff_rsp_event_in_old_new(uint before, uint after, uint rspEvent, bool expected)
    {
        using var r = new RingPair();
        r.ProduceRequests(0, (int)after);
        r.Front.PushRequests();
        r.ConsumeAndRespond((int)before);
        r.Back.PushResponsesAndCheckNotify();
        r.WriteRspEvent(rspEvent);
        r.ConsumeAndRespond((int)(after - before));
        Assert.Equal(expected, r.Back.PushResponsesAndCheckNotify());
        Assert.Equal(after, r.RspProd);
    }

    [Fact]
    public void Push_without_new_requests_never_notifies()
    {
        using var r = new RingPair();
        Assert.False(r.Front.PushRequestsAndCheckNotify());
        Assert.False(r.Back.PushResponsesAndCheckNotify());
    }

    [Fact]
    public void First_request_after_init_notifies_and_later_ones_do_not_until_rearmed()
    {
        using var r = new RingPair(start: 40);
        r.ProduceRequests(0, 1);
        Assert.True(r.Front.PushRequestsAndCheckNotify()); // req_event = start + 1
        r.ProduceRequests(1, 3);
        Assert.False(r.Front.PushRequestsAndCheckNotify()); // backend has not re-armed: it is awake

        r.ConsumeAndRespond();
        Assert.False(r.Back.FinalCheckForRequests());
        Assert.Equal(r.Back.ReqCons + 1, r.ReqEvent);
        r.ProduceRequests(4, 2);
        Assert.True(r.Front.PushRequestsAndCheckNotify());
    }

    [Fact]
    public void Final_check_for_requests_arms_cons_plus_one_only_when_idle()
    {
        using var r = new RingPair(start: 9);
        r.WriteReqEvent(5000);
        r.ProduceRequests(0, 2);
        r.Front.PushRequests();
        // Work pending: report it and leave req_event alone.
        Assert.True(r.Back.FinalCheckForRequests());
        Assert.Equal(5000u, r.ReqEvent);

        r.ConsumeAndRespond();
        Assert.False(r.Back.FinalCheckForRequests());
        Assert.Equal(12u, r.ReqEvent);
        Assert.Equal(r.Back.ReqCons + 1, r.ReqEvent);
    }

    [Fact]
    public void Final_check_sees_a_request_that_raced_in_after_the_first_look()
    {
        using var r = new RingPair();
        // Simulate the race FINAL_CHECK exists for: the index moves between the first look and the re-check.
        // The frontend published while the event was stale (so it did not notify); the re-check must catch it.
        r.WriteReqEvent(1000);
        r.ProduceRequests(0, 1);
        Assert.False(r.Front.PushRequestsAndCheckNotify());
        Assert.True(r.Back.FinalCheckForRequests());
    }

    [Fact]
    public void Final_check_for_responses_arms_cons_plus_one_only_when_idle()
    {
        using var r = new RingPair(start: 100);
        r.ProduceRequests(0, 3);
        r.Front.PushRequests();
        r.ConsumeAndRespond();
        r.WriteRspEvent(7777);
        r.Back.PushResponsesAndCheckNotify();
        Assert.True(r.Front.FinalCheckForResponses());
        Assert.Equal(7777u, r.RspEvent);

        r.ConsumeResponses();
        Assert.False(r.Front.FinalCheckForResponses());
        Assert.Equal(104u, r.RspEvent);

        r.ProduceRequests(3, 1);
        r.Front.PushRequests();
        r.ConsumeAndRespond();
        Assert.True(r.Back.PushResponsesAndCheckNotify());
    }

    [Fact]
    public void Set_request_event_batches_notifications()
    {
        using var r = new RingPair();
        // netback RX style: wake me only once 5 more requests are there.
        r.Back.SetRequestEvent(r.Back.ReqCons + 5);
        for (uint i = 0; i < 4; i++)
        {
            r.ProduceRequests(i, 1);
            Assert.False(r.Front.PushRequestsAndCheckNotify());
        }
        r.ProduceRequests(4, 1);
        Assert.True(r.Front.PushRequestsAndCheckNotify());
    }

    [Theory]
    // (outstanding, atLeast) -> responses after rsp_cons: half plus one, more if needed, never beyond the last.
    [InlineData(256u, 1u, 129u)]
    [InlineData(255u, 1u, 128u)]
    [InlineData(2u, 1u, 2u)]
    [InlineData(1u, 1u, 1u)]
    [InlineData(0u, 1u, 1u)]
    [InlineData(256u, 200u, 200u)]
    [InlineData(100u, 300u, 100u)]
    [InlineData(100u, 0u, 51u)]
    public void Halfway_distance_is_half_plus_one_or_what_the_waiter_needs_within_the_outstanding(uint outstanding, uint atLeast, uint expected) =>
        Assert.Equal(expected, SharedRing.HalfwayDistance(outstanding, atLeast));

    [Theory]
    [InlineData(0u)]
    [InlineData(0xFFFF_FF80u)] // the ring's indices wrap at 2^32 halfway through
    public void Final_check_halfway_asks_for_a_call_only_once_half_the_outstanding_requests_are_answered(uint start)
    {
        using var r = new RingPair(start: start);
        r.ProduceRequests(0, 200);
        r.Front.PushRequests();
        Assert.False(r.Front.FinalCheckForResponsesHalfway(1));
        Assert.Equal(start + 101, r.RspEvent); // rsp_cons + (200 >> 1) + 1

        r.ConsumeAndRespond(100);
        Assert.False(r.Back.PushResponsesAndCheckNotify()); // 100 answered: no call yet
        r.ConsumeAndRespond(1);
        Assert.True(r.Back.PushResponsesAndCheckNotify()); // the 101st: the call
        r.ConsumeAndRespond();
        Assert.False(r.Back.PushResponsesAndCheckNotify());
    }

    [Fact]
    public void Final_check_halfway_never_asks_beyond_the_last_outstanding_request()
    {
        // A waiter that needs more slots back than are in flight still gets its call at the last response.
        using var r = new RingPair(start: 7);
        r.ProduceRequests(0, 10);
        r.Front.PushRequests();
        Assert.False(r.Front.FinalCheckForResponsesHalfway(50));
        Assert.Equal(7u + 10, r.RspEvent);
        r.ConsumeAndRespond(9);
        Assert.False(r.Back.PushResponsesAndCheckNotify());
        r.ConsumeAndRespond(1);
        Assert.True(r.Back.PushResponsesAndCheckNotify());
    }

    [Fact]
    public void Final_check_halfway_sees_a_response_that_raced_in()
    {
        using var r = new RingPair();
        r.ProduceRequests(0, 4);
        r.Front.PushRequests();
        r.ConsumeAndRespond(1);
        r.Back.PushResponsesAndCheckNotify();
        Assert.True(r.Front.FinalCheckForResponsesHalfway(1));
    }
}
