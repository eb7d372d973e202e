using System.Diagnostics;
using Ring.Shared.Abi;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// ReceiveBatch, ReceiveSegments and TryReceive share one receive loop, generic over a struct
/// delivery: with class or struct sinks none of them allocates (an adapter boxed once per call
/// cost about 1 byte per packet before), and a struct sink keeps its state from frame to frame
/// within a call, as it did when each method had its own loop.
/// </summary>
public sealed class ReceiveLoopTests(ITestOutputHelper output)
{
    private sealed class ClassSink : IFrameSink, IRxFrameSink
    {
        public long Bytes;

        public void OnFrame(ReadOnlySpan<byte> frame) => Bytes += frame.Length;

        public void OnFrame(in RxFrame frame) => Bytes += frame.Length;
    }

    /// <summary>Counts into an array it shares with the test: its own field is a copy's.</summary>
    private struct StructSink(long[] total) : IFrameSink, IRxFrameSink
    {
        private int _seen;

        public void OnFrame(ReadOnlySpan<byte> frame)
        {
            _seen++;
            total[0] += frame.Length;
            total[1] = _seen;
        }

        public void OnFrame(in RxFrame frame)
        {
            _seen++;
            total[0] += frame.Length;
            total[1] = _seen;
        }
    }

    private static readonly byte[] Data = new byte[2 * 4096];

    /// <summary>Backend: one one-slot frame and one two-slot frame (gathered for the span paths).</summary>
    private static void Publish(RawQueue raw)
    {
        raw.RespondRx(NetRxFlags.DataValidated, Data.AsSpan(0, 1514));
        raw.RespondRx(NetRxFlags.MoreData, Data.AsSpan(0, 4096));
        raw.RespondRx(NetRxFlags.None, Data.AsSpan(0, 904));
        raw.PushRx();
    }

    private static void Round(RawQueue raw, ClassSink classSink, StructSink structSink)
    {
        var q = raw.Queue;
        Publish(raw);
        Expect(2, q.ReceiveBatch(classSink));
        Publish(raw);
        Expect(2, q.ReceiveBatch(structSink));
        Publish(raw);
        Expect(2, q.ReceiveSegments(classSink));
        Publish(raw);
        Expect(2, q.ReceiveSegments(structSink));
        Publish(raw);
        int n = 0;
        while (q.TryReceive(out var frame))
        {
            classSink.Bytes += frame.Length;
            n++;
        }
        Expect(2, n);
    }

    private static void Expect(int expected, int got)
    {
        if (got != expected)
        {
            Assert.Fail($"{got} frames, expected {expected}"); // (not Assert.Equal: xunit's comparer allocates)
        }
    }

    [Fact]
    public void No_receive_path_allocates_with_class_or_struct_sinks()
    {
        using var raw = new RawQueue();
        var classSink = new ClassSink();
        long[] totals = new long[2];
        var structSink = new StructSink(totals);
        // Warm up until tiered compilation has settled (the loop is rejitted per delivery type).
        var warmup = Stopwatch.StartNew();
        int rounds = 0;
        while (warmup.ElapsedMilliseconds < 1000 || rounds < 500)
        {
            Round(raw, classSink, structSink);
            rounds++;
        }
        const int measured = 5000;
        long start = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < measured; i++)
        {
            Round(raw, classSink, structSink);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - start;
        output.WriteLine($"{measured} rounds of 10 frames over the 5 paths after {rounds} warm-up rounds: {allocated} bytes allocated");
        Assert.Equal((rounds + measured) * 3L * (1514 + 5000), classSink.Bytes);
        Assert.Equal((rounds + measured) * 2L * (1514 + 5000), totals[0]);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_struct_sink_keeps_its_state_across_the_frames_of_one_call()
    {
        using var raw = new RawQueue();
        long[] totals = new long[2];
        for (int i = 0; i < 3; i++)
        {
            raw.RespondRx(NetRxFlags.None, Data.AsSpan(0, 100));
        }
        raw.PushRx();
        Assert.Equal(3, raw.Queue.ReceiveBatch(new StructSink(totals)));
        Assert.Equal(3, totals[1]); // the third frame saw the two before it: no defensive copies
        for (int i = 0; i < 4; i++)
        {
            raw.RespondRx(NetRxFlags.None, Data.AsSpan(0, 100));
        }
        raw.PushRx();
        Assert.Equal(4, raw.Queue.ReceiveSegments(new StructSink(totals)));
        Assert.Equal(4, totals[1]);
    }

    [Fact]
    public void Try_receive_reposts_a_dropped_frame_s_buffers_before_handing_out_the_next()
    {
        using var raw = new RawQueue();
        raw.RespondRx(NetRxFlags.None, Data.AsSpan(0, 100), status: NetifStatus.Error);
        raw.RespondRx(NetRxFlags.None, Data.AsSpan(0, 60));
        raw.PushRx();
        Assert.True(raw.Queue.TryReceive(out var frame));
        Assert.Equal(60, frame.Length);
        Assert.Equal(1, raw.Queue.Counters.RxDropsStatusError);
        // The dropped frame's slot is posted again (not yet pushed); the held frame's is not.
        raw.Queue.PushRxBuffers();
        Assert.Equal(raw.Queue.RxRingSize - 1, (int)raw.Rx.UnconsumedRequests());
        Assert.False(raw.Queue.TryReceive(out _));
        Assert.Equal(raw.Queue.RxRingSize, (int)raw.Rx.UnconsumedRequests());
    }
}
