using Ring.Shared.Abi;
using Ring.Shared.Offload;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// The multi-page zero-copy TX path (docs/protocol.md "Offloads", guest TX): the slots it encodes,
/// read raw by a backend ring view, and how it accounts ring slots against slot ids.
/// </summary>
public sealed class NetfrontTxOffloadTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static unsafe void Fill(ReadOnlySpan<nint> pages, int length, byte seed)
    {
        for (int i = 0; i < length; i++)
        {
            ((byte*)pages[i / NetifLimits.PageSize])[i % NetifLimits.PageSize] = (byte)(seed + i * 13 + (i >> 12));
        }
    }

    private static byte Expected(int i, byte seed) => (byte)(seed + i * 13 + (i >> 12));

    [Fact]
    public void A_64_KiB_gso_frame_is_first_slot_then_the_gso_extra_then_chained_data_slots()
    {
        using var raw = new RawQueue();
        var q = raw.Queue;
        Span<nint> pages = stackalloc nint[NetfrontQueue.MaxTxPages];
        Assert.True(q.TryBeginSendPages(pages));
        Assert.Equal(256 - 18, q.FreeTxSlots); // 17 ids reserved, and 18 ring slots
        const int length = NetifLimits.MaxTxSize;
        Fill(pages, length, 7);
        q.CommitSendPages(length, new FrameOffload(true, true, XenNetifGsoType.TcpV4, 1448));
        Assert.Equal(256 - 17, q.FreeTxSlots); // the 17th page came back; 16 data slots + the extra are used
        q.PushTransmits();

        Assert.Equal(17u, raw.Tx.UnconsumedRequests());
        var first = raw.NextTx();
        Assert.Equal(NetTxFlags.CsumBlank | NetTxFlags.DataValidated | NetTxFlags.ExtraInfo | NetTxFlags.MoreData, (NetTxFlags)first.Flags);
        Assert.Equal(length, first.Size);
        Assert.Equal(0, first.Offset);
        Assert.Equal(raw.TxGref(first.Id), first.Gref);

        var extra = RawQueue.AsExtra(raw.NextTx());
        Assert.Equal((byte)XenNetifExtraType.Gso, extra.Type);
        Assert.Equal(0, extra.Flags);
        Assert.Equal(1448, extra.GsoSize);
        Assert.Equal((byte)XenNetifGsoType.TcpV4, extra.GsoType);

        var ids = new HashSet<ushort> { first.Id };
        var received = new byte[length];
        raw.Page(first.Gref)[..NetifLimits.PageSize].CopyTo(received);
        int offset = NetifLimits.PageSize;
        for (int s = 1; s < 16; s++)
        {
            var slot = raw.NextTx();
            Assert.True(ids.Add(slot.Id), $"id {slot.Id} used twice");
            Assert.Equal(raw.TxGref(slot.Id), slot.Gref);
            int chunk = Math.Min(NetifLimits.PageSize, length - offset);
            Assert.Equal(chunk, slot.Size);
            Assert.Equal(s < 15 ? NetTxFlags.MoreData : NetTxFlags.None, (NetTxFlags)slot.Flags);
            raw.Page(slot.Gref)[..chunk].CopyTo(received.AsSpan(offset));
            offset += chunk;
        }
        Assert.Equal(length, offset);
        for (int i = 0; i < length; i++)
        {
            Assert.True(received[i] == Expected(i, 7), $"byte {i} differs");
        }
        Assert.Equal(1, q.Counters.TxGsoPackets);
        Assert.Equal(length, q.Counters.TxBytes);
    }

    [Fact]
    public void A_non_gso_frame_carries_csum_flags_and_no_extra_and_unused_pages_go_back()
    {
        using var raw = new RawQueue(tx: OffloadFeatures.Csum);
        var q = raw.Queue;
        Span<nint> pages = stackalloc nint[5];
        Assert.True(q.TryBeginSendPages(pages));
        Fill(pages, 9014, 3);
        q.CommitSendPages(9014, new FrameOffload(false, true, XenNetifGsoType.None, 0));
        Assert.Equal(256 - 3, q.FreeTxSlots);
        q.PushTransmits();
        Assert.Equal(3u, raw.Tx.UnconsumedRequests());
        var a = raw.NextTx();
        var b = raw.NextTx();
        var c = raw.NextTx();
        Assert.Equal(NetTxFlags.DataValidated | NetTxFlags.MoreData, (NetTxFlags)a.Flags);
        Assert.Equal((9014, 4096, 822), (a.Size, b.Size, c.Size));
        Assert.Equal((NetTxFlags.MoreData, NetTxFlags.None), ((NetTxFlags)b.Flags, (NetTxFlags)c.Flags));
        Assert.Equal(Expected(9013, 3), raw.Page(c.Gref)[821]);
        Assert.Equal(0, q.Counters.TxGsoPackets);
    }

    [Fact]
    public void Gso_the_backend_did_not_offer_is_refused_and_the_reservation_can_be_cancelled()
    {
        using var raw = new RawQueue(tx: OffloadFeatures.Csum | OffloadFeatures.Tso4);
        var q = raw.Queue;
        Span<nint> pages = stackalloc nint[NetfrontQueue.MaxTxPages];
        Assert.True(q.TryBeginSendPages(pages));
        Assert.Throws<ArgumentException>(() => q.CommitSendPages(20000, new FrameOffload(true, true, XenNetifGsoType.TcpV6, 1428)));
        Assert.Throws<ArgumentException>(() => q.CommitSendPages(20000, new FrameOffload(true, true, XenNetifGsoType.TcpV4, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => q.CommitSendPages(20000, new FrameOffload(true, true, (XenNetifGsoType)3, 1000)));
        Assert.Throws<ArgumentOutOfRangeException>(() => q.CommitSendPages(65536, FrameOffload.None));
        Assert.Throws<InvalidOperationException>(() => q.TryBeginSendPages(new nint[1])); // one reservation at a time
        q.CancelSendPages();
        Assert.Equal(256, q.FreeTxSlots);
        Assert.Equal(0u, raw.Tx.UnconsumedRequests());
        Assert.Throws<InvalidOperationException>(() => q.CancelSendPages());
    }

    [Fact]
    public void Extras_take_ring_slots_but_no_ids_and_their_null_responses_free_nothing()
    {
        using var raw = new RawQueue();
        var q = raw.Queue;
        Span<nint> pages = stackalloc nint[NetfrontQueue.MaxTxPages];
        int frames = 0;
        // Each 64 KiB GSO frame takes 16 ids and 17 ring slots; a reservation needs 18 ring slots.
        while (q.TryBeginSendPages(pages))
        {
            q.CommitSendPages(NetifLimits.MaxTxSize, new FrameOffload(true, true, XenNetifGsoType.TcpV6, 1428));
            frames++;
        }
        Assert.Equal(15, frames); // 256 - 15 * 17 = 1 ring slot left, while 256 - 15 * 16 = 16 ids are free
        Assert.Equal(1, q.FreeTxSlots);
        Assert.Equal(1, q.Counters.TxRingFull);
        q.PushTransmits();

        // The backend answers every slot in order: data slots Okay, extras NETIF_RSP_NULL.
        uint n = raw.Tx.UnconsumedRequests();
        Assert.Equal(255u, n);
        for (uint i = 0; i < n; i++)
        {
            var slot = raw.NextTx();
            bool isExtra = i % 17 == 1;
            if (isExtra)
            {
                Assert.Equal((byte)XenNetifExtraType.Gso, RawQueue.AsExtra(slot).Type);
                raw.Tx.Produce(new NetifTxResponse { Id = 0xFFFF, Status = NetifStatus.Null });
            }
            else
            {
                raw.RespondTx(slot.Id);
            }
        }
        raw.PushTx();
        Assert.Equal(15 * 16, q.ReclaimTxResponses());
        Assert.Equal(256, q.FreeTxSlots);
        Assert.False(q.IsBroken);
    }

    [Fact]
    public async Task Multi_page_frames_without_offloads_cross_the_current_backend_intact()
    {
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, VifSpec = "mtu=9000" });
        var q = device.Queues[0];
        var host = backend.Host(device.VifName);
        var pages = new nint[3];
        foreach (int size in new[] { 60, 4096, 4097, 9014 })
        {
            Assert.True(q.TryBeginSendPages(pages));
            Fill(pages, size, (byte)size);
            q.CommitSendPages(size, FrameOffload.None);
            q.PushTransmits();
            byte[] got = FrontendDriver.HostReceive(host, Wait);
            Assert.Equal(size, got.Length);
            for (int i = 0; i < size; i++)
            {
                Assert.True(got[i] == Expected(i, (byte)size), $"frame of {size}: byte {i} differs");
            }
        }
        FrontendDriver.ReclaimAll(q, Wait);
        Assert.Equal(0, q.TxInFlight);
        Assert.Equal(0, q.Counters.TxStatusErrors + q.Counters.TxStatusDropped);
    }
}
