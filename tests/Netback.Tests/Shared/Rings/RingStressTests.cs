using System.Diagnostics;
using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Rings;
using Netback.Tests.Support;
using Tmds.Linux;

namespace Netback.Tests.Shared.Rings;

/// <summary>
/// A frontend thread and a backend thread over one ring with real eventfds, each sleeping in epoll only
/// after the ring.h final check and each notifying only when push-and-check-notify says so. A lost
/// wake-up (a missing fence, a wrong event index) shows up as a sleeper with work pending and no signal.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed unsafe class RingStressTests(ITestOutputHelper output)
{
    private const int Requests = 3_000_000;
    /// <summary>How long a sleeper that can see pending work waits for the signal before calling it lost.</summary>
    private const int LostWakeupMs = 2_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private sealed class Side
    {
        public long Notifications;
        public long Sleeps;
        public Exception? Failure;
    }

    [Theory]
    [InlineData(RingLayout.Xen, 0, 64)]
    [InlineData(RingLayout.Cacheline, 1, 64)]
    [InlineData(RingLayout.Xen, 0, 1)] // a push per request: the most chances to race the final check
    public void Millions_of_requests_arrive_in_order_without_a_lost_wakeup(RingLayout layout, int order, int burst)
    {
        var geometry = RingGeometry.For(RingKind.Tx, layout, order);
        var memory = new AlignedMemory(geometry.Bytes);
        using var kick = EventChannel.Create(); // frontend -> backend: new requests
        using var call = EventChannel.Create(); // backend -> frontend: responses (slots free again)
        var frontRing = new FrontRing<NetifTxRequest, NetifTxResponse>(memory.Pointer, geometry);
        var backRing = new BackRing<NetifTxRequest, NetifTxResponse>(memory.Pointer, geometry);
        frontRing.Init(uint.MaxValue - 1000); // cross the 2^32 wrap on the way
        backRing.Attach();

        var front = new Side();
        var back = new Side();
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var frontThread = new Thread(() => Guard(front, stop, () => RunFrontend(frontRing, kick, call, burst, front, stop.Token))) { Name = "stress-front" };
        var backThread = new Thread(() => Guard(back, stop, () => RunBackend(backRing, kick, call, back, stop.Token))) { Name = "stress-back" };
        frontThread.Start();
        backThread.Start();

        bool finished = frontThread.Join(Deadline) & backThread.Join(TimeSpan.FromSeconds(5));
        clock.Stop();
        if (!finished)
        {
            stop.Cancel();
            frontThread.Join(TimeSpan.FromSeconds(10));
            backThread.Join(TimeSpan.FromSeconds(10));
        }
        if (!frontThread.IsAlive && !backThread.IsAlive)
        {
            memory.Dispose(); // else leak it: a thread that is still running must not touch freed memory
        }
        // The side that failed first cancels the other: report the cause, not the cancellation.
        var causes = new[] { ("frontend", front.Failure), ("backend", back.Failure) }
            .Where(f => f.Failure is not null and not OperationCanceledException)
            .Select(f => $"{f.Item1}: {f.Failure}")
            .ToList();
        Assert.True(causes.Count == 0, string.Join('\n', causes));
        Assert.True(front.Failure is null && back.Failure is null, "a side was cancelled");
        Assert.True(finished, $"the ring did not drain within {Deadline}");

        double seconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"{layout} order {order} ({geometry.Size} slots), bursts of {burst}: {Requests:N0} requests in {seconds:F2} s ({Requests / seconds / 1e6:F2} M/s)");
        output.WriteLine($"kicks (front->back): {front.Notifications:N0} = {(double)front.Notifications / Requests:F5} per request; backend slept {back.Sleeps:N0} times");
        output.WriteLine($"calls (back->front): {back.Notifications:N0} = {(double)back.Notifications / Requests:F5} per request; frontend slept {front.Sleeps:N0} times");
        // Suppression must work: far fewer notifications than requests (each kick wakes a batch).
        Assert.True(front.Notifications < Requests / 4, $"{front.Notifications} kicks for {Requests} requests");
        Assert.True(front.Notifications >= 1);
    }

    private static void Guard(Side side, CancellationTokenSource stop, Action body)
    {
        try
        {
            body();
        }
        catch (Exception e)
        {
            side.Failure = e;
            stop.Cancel();
        }
    }

    private static void RunFrontend(FrontRing<NetifTxRequest, NetifTxResponse> ring, EventChannel kick, EventChannel call, int burst, Side side, CancellationToken stop)
    {
        using var epoll = new Epoll();
        using var lease = new Ring.Shared.Interop.HandleLease(call.Handle);
        epoll.Add(lease.Value, Epoll.In, 1);
        long sent = 0, received = 0;
        while (received < Requests)
        {
            bool progress = false;
            // xennet_tx_buf_gc: collect responses.
            uint prod = ring.ReadResponseProducer();
            if (ring.ResponseProducerOverflow(prod))
            {
                throw new InvalidOperationException($"impossible rsp_prod {prod} (rsp_cons {ring.RspCons})");
            }
            while (ring.RspCons != prod)
            {
                var rsp = ring.CopyResponse(ring.RspCons);
                if (rsp.Id != (ushort)received || rsp.Status != NetifStatus.Okay)
                {
                    throw new InvalidOperationException($"response {received}: id {rsp.Id}, status {rsp.Status}");
                }
                ring.RspCons++;
                received++;
                progress = true;
            }
            // Fill the free slots (in bursts, as a NIC queue would).
            uint free = ring.FreeRequests;
            if (free > 0 && sent < Requests)
            {
                long n = Math.Min(Math.Min(free, burst), Requests - sent);
                for (long i = 0; i < n; i++, sent++)
                {
                    ring.Produce(new NetifTxRequest { Gref = (uint)sent, Id = (ushort)sent, Size = (ushort)(sent >> 16), Offset = 0 });
                }
                if (ring.PushRequestsAndCheckNotify())
                {
                    kick.Notify();
                    side.Notifications++;
                }
                progress = true;
            }
            if (progress || received == Requests)
            {
                continue;
            }
            // Nothing to send (ring full or all sent) and no response: sleep after the final check.
            if (ring.FinalCheckForResponses())
            {
                continue;
            }
            side.Sleeps++;
            Sleep(epoll, call, () => ring.UnconsumedResponses != 0, "frontend", stop);
        }
    }

    private static void RunBackend(BackRing<NetifTxRequest, NetifTxResponse> ring, EventChannel kick, EventChannel call, Side side, CancellationToken stop)
    {
        using var epoll = new Epoll();
        using var lease = new Ring.Shared.Interop.HandleLease(kick.Handle);
        epoll.Add(lease.Value, Epoll.In, 1);
        long consumed = 0;
        while (consumed < Requests)
        {
            uint prod = ring.ReadRequestProducer();
            if (ring.RequestProducerOverflow(prod))
            {
                throw new InvalidOperationException($"impossible req_prod {prod} (rsp_prod_pvt {ring.RspProdPvt})");
            }
            uint n = Math.Min(ring.UnconsumedRequests(prod), 64u); // NAPI-like budget
            for (uint i = 0; i < n; i++)
            {
                var req = ring.CopyRequest(ring.ReqCons);
                if (req.Gref != (uint)consumed || req.Id != (ushort)consumed || req.Size != (ushort)(consumed >> 16))
                {
                    throw new InvalidOperationException($"request {consumed}: gref {req.Gref}, id {req.Id}, size {req.Size}");
                }
                ring.ReqCons++;
                consumed++;
                ring.Produce(new NetifTxResponse { Id = req.Id, Status = NetifStatus.Okay });
            }
            if (n > 0)
            {
                if (ring.PushResponsesAndCheckNotify())
                {
                    call.Notify();
                    side.Notifications++;
                }
                continue;
            }
            if (ring.FinalCheckForRequests())
            {
                continue;
            }
            side.Sleeps++;
            Sleep(epoll, kick, () => ring.UnconsumedRequests() != 0, "backend", stop);
        }
    }

    /// <summary>
    /// Waits for the peer's signal. Work that is visible while no signal arrives for a long time is
    /// a lost wake-up; a stop request (the other side failed) ends the wait.
    /// </summary>
    private static void Sleep(Epoll epoll, EventChannel channel, Func<bool> workVisible, string who, CancellationToken stop)
    {
        Span<epoll_event> events = stackalloc epoll_event[1];
        long workSeenAt = -1;
        while (true)
        {
            stop.ThrowIfCancellationRequested();
            if (epoll.Wait(events, 100) > 0)
            {
                channel.Drain();
                return;
            }
            if (!workVisible())
            {
                workSeenAt = -1;
                continue;
            }
            workSeenAt = workSeenAt < 0 ? Environment.TickCount64 : workSeenAt;
            if (Environment.TickCount64 - workSeenAt > LostWakeupMs)
            {
                throw new InvalidOperationException($"lost wake-up: the {who} sleeps with work pending and no notification for {LostWakeupMs} ms");
            }
        }
    }
}
