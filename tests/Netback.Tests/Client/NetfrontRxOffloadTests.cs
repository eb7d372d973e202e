using Ring.Shared.Abi;
using Ring.Shared.Offload;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// Guest RX with offloads (docs/protocol.md "Offloads", guest RX), against a raw backend writing
/// responses and extras by hand: the GSO extra, csum flags, zero-length data slots, and bad extras
/// dropped and counted without breaking the queue.
/// </summary>
public sealed class NetfrontRxOffloadTests
{
    private sealed class Collect : IRxFrameSink
    {
        public List<(byte[] Data, int Segments, FrameOffload Offload)> Frames { get; } = [];

        public void OnFrame(in RxFrame frame)
        {
            var data = new byte[frame.Length];
            int offset = 0;
            foreach (var segment in frame.Segments)
            {
                Assert.True(segment.Length > 0, "an empty segment was handed over");
                segment.Span.CopyTo(data.AsSpan(offset));
                offset += segment.Length;
            }
            Assert.Equal(frame.Length, offset);
            Frames.Add((data, frame.Segments.Length, frame.Offload));
        }
    }

    private sealed class Contiguous : IFrameSink
    {
        public List<byte[]> Frames { get; } = [];

        public void OnFrame(ReadOnlySpan<byte> frame) => Frames.Add(frame.ToArray());
    }

    private static byte[] Pattern(int length, byte seed)
    {
        var b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = (byte)(seed + i * 7 + (i >> 12));
        }
        return b;
    }

    /// <summary>A GSO frame as netback writes it: data, the extra, then the rest of the data.</summary>
    private static void WriteGsoFrame(RawQueue raw, byte[] frame, NetifExtraInfo extra)
    {
        int offset = 0;
        var more = NetRxFlags.MoreData;
        int chunk = Math.Min(4096, frame.Length);
        raw.RespondRx(NetRxFlags.CsumBlank | NetRxFlags.DataValidated | NetRxFlags.ExtraInfo | (chunk < frame.Length ? more : 0), frame.AsSpan(0, chunk));
        offset += chunk;
        raw.RespondRxExtra(extra);
        while (offset < frame.Length)
        {
            chunk = Math.Min(4096, frame.Length - offset);
            raw.RespondRx(offset + chunk < frame.Length ? more : NetRxFlags.None, frame.AsSpan(offset, chunk));
            offset += chunk;
        }
    }

    [Fact]
    public void A_gso_frame_arrives_as_segments_with_its_gso_and_csum_metadata()
    {
        using var raw = new RawQueue();
        byte[] frame = Pattern(65549, 1); // 64 KiB IP packet + Ethernet header: 17 data slots
        WriteGsoFrame(raw, frame, RawQueue.Gso(XenNetifGsoType.TcpV4, 1448));
        raw.PushRx();
        var sink = new Collect();
        Assert.Equal(1, raw.Queue.ReceiveSegments(sink));
        var (data, segments, offload) = Assert.Single(sink.Frames);
        Assert.Equal(frame, data);
        Assert.Equal(17, segments);
        Assert.Equal(new FrameOffload(true, true, XenNetifGsoType.TcpV4, 1448), offload);
        var c = raw.Queue.Counters;
        Assert.Equal((1, 1, 65549L), (c.RxPackets, c.RxGsoPackets, c.RxBytes));
        // All 18 slots (the extra's too) are posted again: the ring is full of buffers.
        Assert.Equal(256u, raw.Rx.UnconsumedRequests());
    }

    [Fact]
    public void The_old_contiguous_sink_still_gets_a_gso_frame_whole()
    {
        using var raw = new RawQueue();
        byte[] frame = Pattern(30000, 2);
        WriteGsoFrame(raw, frame, RawQueue.Gso(XenNetifGsoType.TcpV6, 1428));
        raw.PushRx();
        var sink = new Contiguous();
        Assert.Equal(1, raw.Queue.ReceiveBatch(sink));
        Assert.Equal(frame, Assert.Single(sink.Frames));
    }

    [Fact]
    public void Zero_length_data_slots_add_nothing_and_csum_flags_are_reported()
    {
        using var raw = new RawQueue();
        byte[] frame = Pattern(4196, 3);
        // A non-GSO frame over a page: netback leaves the slot it kept for an extra empty.
        raw.RespondRx(NetRxFlags.DataValidated | NetRxFlags.MoreData, frame.AsSpan(0, 4096));
        raw.RespondRx(NetRxFlags.MoreData, []);
        raw.RespondRx(NetRxFlags.None, frame.AsSpan(4096), offset: 64);
        // A one-slot frame with csum_blank: data_validated is implied.
        byte[] small = Pattern(100, 4);
        raw.RespondRx(NetRxFlags.CsumBlank, small);
        raw.PushRx();

        var sink = new Collect();
        Assert.Equal(2, raw.Queue.ReceiveSegments(sink));
        Assert.Equal(frame, sink.Frames[0].Data);
        Assert.Equal(2, sink.Frames[0].Segments);
        Assert.Equal(new FrameOffload(false, true, XenNetifGsoType.None, 0), sink.Frames[0].Offload);
        Assert.Equal(small, sink.Frames[1].Data);
        Assert.Equal(new FrameOffload(true, true, XenNetifGsoType.None, 0), sink.Frames[1].Offload);

        // The same through TryReceive (contiguous).
        raw.RespondRx(NetRxFlags.MoreData, frame.AsSpan(0, 4096));
        raw.RespondRx(NetRxFlags.MoreData, []);
        raw.RespondRx(NetRxFlags.None, frame.AsSpan(4096));
        raw.PushRx();
        Assert.True(raw.Queue.TryReceive(out var whole));
        Assert.Equal(frame, whole.ToArray());
    }

    public static TheoryData<string, byte, byte, ushort> BadExtras() => new()
    {
        { "type 0", 0, 1, 1448 },
        { "type beyond XEN_NETIF_EXTRA_TYPE_MAX", 9, 1, 1448 },
        { "GSO size 0", (byte)XenNetifExtraType.Gso, (byte)XenNetifGsoType.TcpV4, 0 },
        { "GSO type none", (byte)XenNetifExtraType.Gso, 0, 1448 },
        { "GSO type 3", (byte)XenNetifExtraType.Gso, 3, 1448 },
    };

    [Theory]
    [MemberData(nameof(BadExtras))]
    public void A_bad_extra_drops_its_frame_counted_and_the_next_frame_still_arrives(string what, byte type, byte gsoType, ushort gsoSize)
    {
        using var raw = new RawQueue();
        WriteGsoFrame(raw, Pattern(9000, 5), new NetifExtraInfo { Type = type, GsoType = gsoType, GsoSize = gsoSize });
        byte[] next = Pattern(1514, 6);
        raw.RespondRx(NetRxFlags.None, next);
        raw.PushRx();
        var sink = new Collect();
        Assert.Equal(1, raw.Queue.ReceiveSegments(sink));
        Assert.True(next.AsSpan().SequenceEqual(Assert.Single(sink.Frames).Data), what);
        Assert.Equal(1, raw.Queue.Counters.RxDropsBadExtra);
        Assert.False(raw.Queue.IsBroken);
        Assert.Equal(256u, raw.Rx.UnconsumedRequests()); // 3 data + extra + next: all re-posted, the ring is full again
    }

    [Fact]
    public void Gso_of_a_type_not_advertised_is_dropped()
    {
        using var raw = new RawQueue(rx: OffloadFeatures.Csum | OffloadFeatures.Tso4);
        WriteGsoFrame(raw, Pattern(9000, 5), RawQueue.Gso(XenNetifGsoType.TcpV6, 1428));
        raw.PushRx();
        Assert.Equal(0, raw.Queue.ReceiveSegments(new Collect()));
        Assert.Equal(1, raw.Queue.Counters.RxDropsBadExtra);
    }

    [Fact]
    public void An_extra_after_a_later_slot_or_two_gso_extras_drop_the_frame()
    {
        using var raw = new RawQueue();
        byte[] frame = Pattern(5000, 7);
        raw.RespondRx(NetRxFlags.MoreData, frame.AsSpan(0, 4096));
        raw.RespondRx(NetRxFlags.ExtraInfo, frame.AsSpan(4096));
        raw.RespondRxExtra(RawQueue.Gso(XenNetifGsoType.TcpV4, 1448));
        raw.RespondRx(NetRxFlags.CsumBlank | NetRxFlags.ExtraInfo, frame.AsSpan(0, 100));
        raw.RespondRxExtra(RawQueue.Gso(XenNetifGsoType.TcpV4, 1448, XenNetifExtraFlags.More));
        raw.RespondRxExtra(RawQueue.Gso(XenNetifGsoType.TcpV4, 1448));
        raw.PushRx();
        Assert.Equal(0, raw.Queue.ReceiveSegments(new Collect()));
        Assert.Equal(2, raw.Queue.Counters.RxDropsBadExtra);
        Assert.Equal(256u, raw.Rx.UnconsumedRequests());
    }

    [Fact]
    public void Other_extra_types_are_skipped_and_counted()
    {
        using var raw = new RawQueue();
        byte[] frame = Pattern(1514, 8);
        raw.RespondRx(NetRxFlags.DataValidated | NetRxFlags.ExtraInfo, frame);
        raw.RespondRxExtra(new NetifExtraInfo { Type = (byte)XenNetifExtraType.Hash, Flags = XenNetifExtraFlags.More });
        raw.RespondRxExtra(RawQueue.Gso(XenNetifGsoType.TcpV4, 1448));
        raw.PushRx();
        var sink = new Collect();
        Assert.Equal(1, raw.Queue.ReceiveSegments(sink));
        Assert.Equal(new FrameOffload(false, true, XenNetifGsoType.TcpV4, 1448), Assert.Single(sink.Frames).Offload);
        Assert.Equal(1, raw.Queue.Counters.RxExtrasIgnored);
    }

    [Fact]
    public void A_frame_whose_extra_is_not_published_yet_waits_for_it()
    {
        using var raw = new RawQueue();
        byte[] frame = Pattern(6000, 9);
        raw.RespondRx(NetRxFlags.CsumBlank | NetRxFlags.ExtraInfo | NetRxFlags.MoreData, frame.AsSpan(0, 4096));
        raw.PushRx();
        var sink = new Collect();
        Assert.Equal(0, raw.Queue.ReceiveSegments(sink));
        raw.RespondRxExtra(RawQueue.Gso(XenNetifGsoType.TcpV4, 1448));
        raw.PushRx();
        Assert.Equal(0, raw.Queue.ReceiveSegments(sink));
        raw.RespondRx(NetRxFlags.None, frame.AsSpan(4096));
        raw.PushRx();
        Assert.Equal(1, raw.Queue.ReceiveSegments(sink));
        Assert.Equal(frame, Assert.Single(sink.Frames).Data);
        Assert.Equal(1, raw.Queue.Counters.RxPackets);
    }
}
