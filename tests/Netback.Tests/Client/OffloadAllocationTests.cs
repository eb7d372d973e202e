using Ring.Shared.Abi;
using Ring.Shared.Offload;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>The offload paths (multi-page GSO TX, segmented GSO RX) allocate nothing per frame.</summary>
public sealed class OffloadAllocationTests(ITestOutputHelper output)
{
    private sealed class CountingSink : IRxFrameSink
    {
        public long Bytes;
        public long Gso;

        public void OnFrame(in RxFrame frame)
        {
            Bytes += frame.Length;
            if (frame.Offload.IsGso)
            {
                Gso++;
            }
        }
    }

    private static void RoundTrip(RawQueue raw, CountingSink sink, byte[] data, Span<nint> pages)
    {
        var q = raw.Queue;
        // Guest TX: a 64 KiB GSO frame into reserved pages; the backend answers every slot.
        Assert.True(q.TryBeginSendPages(pages));
        q.CommitSendPages(NetifLimits.MaxTxSize, new FrameOffload(true, true, XenNetifGsoType.TcpV4, 1448));
        q.PushTransmits();
        uint n = raw.Tx.UnconsumedRequests();
        for (uint i = 0; i < n; i++)
        {
            var slot = raw.NextTx();
            if (i == 1)
            {
                raw.Tx.Produce(new NetifTxResponse { Id = 0, Status = NetifStatus.Null });
            }
            else
            {
                raw.RespondTx(slot.Id);
            }
        }
        raw.PushTx();
        q.ReclaimTxResponses();

        // Guest RX: a GSO frame of 17 data slots and an extra, delivered as segments.
        raw.RespondRx(NetRxFlags.CsumBlank | NetRxFlags.DataValidated | NetRxFlags.ExtraInfo | NetRxFlags.MoreData, data.AsSpan(0, 4096));
        raw.RespondRxExtra(RawQueue.Gso(XenNetifGsoType.TcpV4, 1448));
        for (int s = 1; s < 17; s++)
        {
            raw.RespondRx(s < 16 ? NetRxFlags.MoreData : NetRxFlags.None, data.AsSpan(s * 4096, s < 16 ? 4096 : 13));
        }
        raw.PushRx();
        if (q.ReceiveSegments(sink) != 1)
        {
            Assert.Fail("the GSO frame did not arrive"); // (not Assert.Equal: xunit's comparer allocates)
        }
    }

    [Fact]
    public void Gso_frames_each_way_allocate_nothing()
    {
        const int warmup = 200;
        const int measured = 5000;
        using var raw = new RawQueue();
        var sink = new CountingSink();
        byte[] data = new byte[17 * 4096];
        Span<nint> pages = stackalloc nint[NetfrontQueue.MaxTxPages];
        for (int i = 0; i < warmup; i++)
        {
            RoundTrip(raw, sink, data, pages);
        }
        long start = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < measured; i++)
        {
            RoundTrip(raw, sink, data, pages);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - start;
        output.WriteLine($"{measured} GSO frames each way: {allocated} bytes allocated");
        Assert.Equal(warmup + measured, sink.Gso);
        Assert.Equal((warmup + measured) * 65549L, sink.Bytes);
        Assert.Equal(warmup + measured, raw.Queue.Counters.TxGsoPackets);
        Assert.True(allocated <= 512, $"{allocated} bytes allocated for {measured} frames each way");
    }
}
