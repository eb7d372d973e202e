using System.Net.Sockets;
using Netback.Daemon.DataPath;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Netback.Tests.Support;
using Netback.Daemon.Diagnostics;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// Hand-built frontends that put garbage on the rings of the real in-process backend (fact sheet
/// §4.3, DESIGN §5): fatal errors disable only that vif, non-fatal ones drop the packet with error
/// responses, and a healthy second vif is never disturbed.
/// </summary>
public sealed class HostileFrontendTests
{

    // ---------------------------------------------------------------- fatal

    [Theory]
    [InlineData("tx-req-prod-far-beyond-ring", nameof(FatalReason.ImpossibleRequestCount))]
    [InlineData("rx-req-prod-far-beyond-ring", nameof(FatalReason.ImpossibleRequestCount))]
    [InlineData("tx-gref-on-a-ring-page", nameof(FatalReason.BadGref))]
    [InlineData("tx-gref-one-past-the-area", nameof(FatalReason.BadGref))]
    [InlineData("tx-gref-max", nameof(FatalReason.BadGref))]
    [InlineData("tx-gref-of-a-later-slot", nameof(FatalReason.BadGref))]
    [InlineData("rx-gref-on-a-ring-page", nameof(FatalReason.BadGref))]
    [InlineData("rx-gref-one-past-the-area", nameof(FatalReason.BadGref))]
    [InlineData("later-slot-crosses-the-page", nameof(FatalReason.CrossPageBoundary))]
    [InlineData("single-slot-crosses-the-page", nameof(FatalReason.CrossPageBoundary))]
    [InlineData("first-slot-offset-beyond-the-page", nameof(FatalReason.CrossPageBoundary))]
    [InlineData("first-slot-share-crosses-the-page", nameof(FatalReason.CrossPageBoundary))]
    [InlineData("chain-of-22-slots", nameof(FatalReason.TooManySlots))]
    [InlineData("chain-of-30-slots", nameof(FatalReason.TooManySlots))]
    [InlineData("chain-runs-past-published-requests", nameof(FatalReason.MissingSlots))]
    [InlineData("extra-type-0", nameof(FatalReason.BadExtraType))]
    [InlineData("extra-type-6", nameof(FatalReason.BadExtraType))]
    [InlineData("extra-type-255", nameof(FatalReason.BadExtraType))]
    [InlineData("gso-size-0", nameof(FatalReason.BadGso))]
    [InlineData("gso-type-0", nameof(FatalReason.BadGso))]
    [InlineData("gso-type-3", nameof(FatalReason.BadGso))]
    [InlineData("missing-extra-slot", nameof(FatalReason.MissingSlots))]
    [InlineData("extra-more-flag-without-next", nameof(FatalReason.MissingSlots))]
    // tx-copy=map: the grefs are judged before any page is mapped.
    [InlineData("tx-gref-one-past-the-area", nameof(FatalReason.BadGref), "map")]
    [InlineData("tx-gref-max", nameof(FatalReason.BadGref), "map")]
    [InlineData("tx-gref-of-a-later-slot", nameof(FatalReason.BadGref), "map")]
    [InlineData("later-slot-crosses-the-page", nameof(FatalReason.CrossPageBoundary), "map")]
    [InlineData("chain-of-22-slots", nameof(FatalReason.TooManySlots), "map")]
    public async Task Fatal_garbage_disables_only_that_vif(string scenario, string reason, string txCopy = "direct")
    {
        await using var backend = new InProcessBackend(o => o.DefaultVifSpec = $"mtu=1500,tx-copy={txCopy}");
        using var healthy = Healthy(backend);
        using var hostile = HostileFrontend.Connect(backend.SocketPath);
        Assert.NotEqual(healthy.VifName, hostile.VifName);
        Assert.True(backend.WaitForVifCount(2, Patience));
        var hostileHost = backend.Host(hostile.VifName);
        uint txRspBefore = hostile.Tx.ReadResponseProducer();
        uint rxRspBefore = hostile.Rx.ReadResponseProducer();
        long fatalBefore = FatalCounters.Read(Enum.Parse<FatalReason>(reason));

        WriteFatal(hostile, scenario);

        // The frontend is told Closing, with the reason.
        var m = hostile.ReceiveControl();
        AssertReason(m, ControlMessageType.State, XenbusState.Closing, reason);
        Assert.True(hostile.WaitForEof(), "the backend should close the control connection after Closing");

        // The vif is gone, its TAP end closed with nothing written to it.
        Assert.True(backend.WaitForVifCount(1, Patience), AllLogs(backend));
        Assert.DoesNotContain(backend.Registry.Snapshot(), v => v.Name == hostile.VifName);
        hostileHost.ReceiveTimeout = (int)Patience.TotalMilliseconds;
        Assert.Equal(0, hostileHost.Receive(new byte[70000])); // EOF: no frame reached the host stack

        // Nothing was answered on the garbage ring.
        Assert.Equal(txRspBefore, hostile.Tx.ReadResponseProducer());
        Assert.Equal(rxRspBefore, hostile.Rx.ReadResponseProducer());

        // Counted by reason for netback.frontend.fatal_errors (other tests may add to it meanwhile).
        Assert.True(FatalCounters.Read(Enum.Parse<FatalReason>(reason)) > fatalBefore);

        // Exactly one warning, naming the vif and the reason.
        string[] warnings = Warnings(backend);
        Assert.True(warnings.Length == 1, AllLogs(backend));
        Assert.Contains(hostile.VifName, warnings[0], StringComparison.Ordinal);
        Assert.Contains(reason, warnings[0], StringComparison.Ordinal);

        // The other vif does not notice.
        AssertPassesFramesBothWays(backend, healthy, 0x40);
        Assert.Equal(1, backend.Registry.Count);
    }

    /// <summary>
    /// Under a pool or split threads, a frontend's fatal garbage still takes only its own vif. Under
    /// <c>pool:2</c> a filler vif takes worker 1 so that the hostile vif shares worker 0 with the
    /// healthy one: that worker lets the broken queue go and keeps serving its neighbour.
    /// </summary>
    [Theory]
    [InlineData("pool:2", "tx-gref-max", nameof(FatalReason.BadGref))]
    [InlineData("pool:2", "rx-req-prod-far-beyond-ring", nameof(FatalReason.ImpossibleRequestCount))]
    [InlineData("split", "tx-gref-max", nameof(FatalReason.BadGref))]
    [InlineData("split", "rx-req-prod-far-beyond-ring", nameof(FatalReason.ImpossibleRequestCount))]
    public async Task Fatal_garbage_under_another_thread_model_disables_only_that_vif(string threads, string scenario, string reason)
    {
        await using var backend = new InProcessBackend(o => o.Threads = threads);
        using var healthy = Healthy(backend);
        using var filler = threads == "pool:2" ? Healthy(backend) : null;
        using var hostile = HostileFrontend.Connect(backend.SocketPath);
        int vifs = filler is null ? 2 : 3;
        Assert.True(backend.WaitForVifCount(vifs, Patience));
        string healthyThreads = backend.Registry.Snapshot().Single(v => v.Name == healthy.VifName).Threads;
        Assert.Equal(healthyThreads, backend.Registry.Snapshot().Single(v => v.Name == hostile.VifName).Threads);

        WriteFatal(hostile, scenario);

        var m = hostile.ReceiveControl();
        AssertReason(m, ControlMessageType.State, XenbusState.Closing, reason);
        Assert.True(hostile.WaitForEof(), "the backend should close the control connection after Closing");
        Assert.True(backend.WaitForVifCount(vifs - 1, Patience), AllLogs(backend));
        string[] warnings = Warnings(backend);
        Assert.True(warnings.Length == 1, AllLogs(backend));
        Assert.Contains(reason, warnings[0], StringComparison.Ordinal);
        // The neighbour on the same worker does not notice, and goes on after the queue has left.
        AssertPassesFramesBothWays(backend, healthy, 0x42);
        AssertPassesFramesBothWays(backend, healthy, 0x43);
        if (filler is not null)
        {
            AssertPassesFramesBothWays(backend, filler, 0x44);
        }
    }

    private static void WriteFatal(HostileFrontend f, string scenario)
    {
        uint p0 = HostileFrontend.DataGref(0);
        uint p1 = HostileFrontend.DataGref(1);
        switch (scenario)
        {
            case "tx-req-prod-far-beyond-ring":
                f.Tx.ReqProdPvt += 1000; // slots never written: req_prod - rsp_prod_pvt > 256
                f.PushTx();
                return;
            case "rx-req-prod-far-beyond-ring":
                f.Rx.ReqProdPvt += f.Rx.Size + 1;
                f.Rx.PushRequests();
                f.RxKick.Notify();
                return;
            case "tx-gref-on-a-ring-page":
                f.ProduceTx(HostileFrontend.TxRingRef, 0, NetTxFlags.None, 0, 60);
                break;
            case "tx-gref-one-past-the-area":
                f.ProduceTx(HostileFrontend.GrantPages, 0, NetTxFlags.None, 0, 60);
                break;
            case "tx-gref-max":
                f.ProduceTx(uint.MaxValue, 0, NetTxFlags.None, 0, 60);
                break;
            case "tx-gref-of-a-later-slot":
                f.ProduceTx(p0, 0, NetTxFlags.MoreData, 0, 120);
                f.ProduceTx(HostileFrontend.RxRingRef, 0, NetTxFlags.None, 1, 60);
                break;
            case "rx-gref-on-a-ring-page":
                f.PostRx(0, HostileFrontend.RxRingRef);
                return;
            case "rx-gref-one-past-the-area":
                f.PostRx(0, HostileFrontend.GrantPages);
                return;
            case "later-slot-crosses-the-page":
                f.ProduceTx(p0, 0, NetTxFlags.MoreData, 0, 200);
                f.ProduceTx(p1, 4000, NetTxFlags.None, 1, 100);
                break;
            case "single-slot-crosses-the-page":
                f.ProduceTx(p0, 4090, NetTxFlags.None, 0, 60);
                break;
            case "first-slot-offset-beyond-the-page":
                f.ProduceTx(p0, 5000, NetTxFlags.None, 0, 60);
                break;
            case "first-slot-share-crosses-the-page":
                // first slot's share = 3000 - 500 = 2500 bytes from offset 2000: past 4096
                f.ProduceTx(p0, 2000, NetTxFlags.MoreData, 0, 3000);
                f.ProduceTx(p1, 0, NetTxFlags.None, 1, 500);
                break;
            case "chain-of-22-slots":
                ProduceChain(f, 22, lastHasMoreData: false); // asks for a 21st slot after the first: fatal_skb_slots
                break;
            case "chain-of-30-slots":
                ProduceChain(f, 30, lastHasMoreData: false);
                break;
            case "chain-runs-past-published-requests":
                ProduceChain(f, 3, lastHasMoreData: true);
                break;
            case "extra-type-0":
                f.ProduceTx(p0, 0, NetTxFlags.ExtraInfo, 0, 60);
                f.ProduceExtra(new NetifExtraInfo { Type = 0 });
                break;
            case "extra-type-6":
                f.ProduceTx(p0, 0, NetTxFlags.ExtraInfo, 0, 60);
                f.ProduceExtra(new NetifExtraInfo { Type = (byte)XenNetifExtraType.Max });
                break;
            case "extra-type-255":
                f.ProduceTx(p0, 0, NetTxFlags.ExtraInfo, 0, 60);
                f.ProduceExtra(new NetifExtraInfo { Type = 255 });
                break;
            case "gso-size-0":
                f.ProduceTx(p0, 0, NetTxFlags.ExtraInfo, 0, 60);
                f.ProduceExtra(new NetifExtraInfo { Type = (byte)XenNetifExtraType.Gso, GsoSize = 0, GsoType = (byte)XenNetifGsoType.TcpV4 });
                break;
            case "gso-type-0":
                f.ProduceTx(p0, 0, NetTxFlags.ExtraInfo, 0, 60);
                f.ProduceExtra(new NetifExtraInfo { Type = (byte)XenNetifExtraType.Gso, GsoSize = 1448, GsoType = 0 });
                break;
            case "gso-type-3":
                f.ProduceTx(p0, 0, NetTxFlags.ExtraInfo, 0, 60);
                f.ProduceExtra(new NetifExtraInfo { Type = (byte)XenNetifExtraType.Gso, GsoSize = 1448, GsoType = 3 });
                break;
            case "missing-extra-slot":
                f.ProduceTx(p0, 0, NetTxFlags.ExtraInfo, 0, 60);
                break;
            case "extra-more-flag-without-next":
                f.ProduceTx(p0, 0, NetTxFlags.ExtraInfo, 0, 60);
                f.ProduceExtra(new NetifExtraInfo { Type = (byte)XenNetifExtraType.McastAdd, Flags = XenNetifExtraFlags.More });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null);
        }
        f.PushTx();
    }

    /// <summary>A chain of <paramref name="slots"/> 50-byte slots on distinct pages, first size = total.</summary>
    private static void ProduceChain(HostileFrontend f, int slots, bool lastHasMoreData)
    {
        for (int i = 0; i < slots; i++)
        {
            bool more = i < slots - 1 || lastHasMoreData;
            f.ProduceTx(HostileFrontend.DataGref(i), 0, more ? NetTxFlags.MoreData : NetTxFlags.None, (ushort)i,
                (ushort)(i == 0 ? 50 * slots : 50));
        }
    }

    // ---------------------------------------------------------------- non-fatal

    [Theory]
    [InlineData("runt-first-slot", nameof(TxDropReason.Runt))]
    [InlineData("empty-first-slot", nameof(TxDropReason.Runt))]
    [InlineData("larger-than-mtu", nameof(TxDropReason.Oversize))]
    [InlineData("20-slots", nameof(TxDropReason.TooManySlots))]
    [InlineData("21-slots", nameof(TxDropReason.TooManySlots))]
    [InlineData("later-slot-larger-than-remaining", nameof(TxDropReason.SlotSizeMismatch))]
    [InlineData("gso-not-negotiated", nameof(TxDropReason.GsoNotNegotiated))]
    [InlineData("gso-not-negotiated-multi-slot", nameof(TxDropReason.GsoNotNegotiated))]
    [InlineData("csum-blank-not-ip", nameof(TxDropReason.HeadersUnparsable))]
    [InlineData("gso-headers-truncated", nameof(TxDropReason.HeadersUnparsable))]
    [InlineData("gso-tcpv4-on-ipv6-frame", nameof(TxDropReason.GsoTypeMismatch))]
    [InlineData("gso-on-udp", nameof(TxDropReason.GsoTypeMismatch))]
    [InlineData("gso-size-beyond-64k", nameof(TxDropReason.GsoSizeOutOfRange))]
    [InlineData("runt-first-slot", nameof(TxDropReason.Runt), "map")]
    [InlineData("21-slots", nameof(TxDropReason.TooManySlots), "map")]
    [InlineData("later-slot-larger-than-remaining", nameof(TxDropReason.SlotSizeMismatch), "map")]
    [InlineData("csum-blank-not-ip", nameof(TxDropReason.HeadersUnparsable), "map")]
    [InlineData("gso-on-udp", nameof(TxDropReason.GsoTypeMismatch), "map")]
    public async Task Non_fatal_garbage_drops_the_packet_with_error_responses(string scenario, string drop, string txCopy = "direct")
    {
        await using var backend = new InProcessBackend(o => o.DefaultVifSpec = $"mtu=1500,tx-copy={txCopy}");
        // GSO is refused only where the vif did not offer it (Connected: feature-gso-tcpv4=0).
        using var hostile = HostileFrontend.Connect(backend.SocketPath,
            scenario.StartsWith("gso-not-negotiated", StringComparison.Ordinal) ? "offloads=off" : null);
        Assert.True(backend.WaitForVifCount(1, Patience));
        var host = backend.Host(hostile.VifName);

        // (slot kind, id) per request, in ring order: true = data slot, false = extra.
        var slots = WriteNonFatal(hostile, scenario);
        hostile.PushTx();
        var responses = hostile.TakeTxResponses(slots.Count);
        for (int i = 0; i < slots.Count; i++)
        {
            var (isData, id) = slots[i];
            if (isData)
            {
                Assert.True(responses[i].Status == NetifStatus.Error, $"slot {i}: status {responses[i].Status}, expected NETIF_RSP_ERROR");
                Assert.Equal(id, responses[i].Id);
            }
            else
            {
                Assert.True(responses[i].Status == NetifStatus.Null, $"slot {i}: status {responses[i].Status}, expected NETIF_RSP_NULL");
            }
        }
        // Responses advanced exactly as many slots as requests: not one more.
        Assert.Equal(hostile.Tx.ReqProdPvt, hostile.Tx.ReadResponseProducer());
        var vif = Assert.Single(backend.Registry.Snapshot());
        Assert.False(vif.IsBroken);
        Assert.Equal(1, vif.Queues[0].Counters.TxDrops[(int)Enum.Parse<TxDropReason>(drop)]);
        Assert.Equal(0, vif.Queues[0].Counters.TxPackets);

        // A following good frame arrives, and it is the first thing the host stack sees.
        byte[] good = Frame(64, 0x11);
        var rsp = hostile.SendFrame(good, id: 99, dataPage: 25);
        Assert.Equal(NetifStatus.Okay, rsp.Status);
        Assert.Equal(99, rsp.Id);
        Assert.Equal(good, ReceiveFromHost(host));
        Assert.Equal(0, host.Available);
        Assert.Equal(hostile.Tx.ReqProdPvt, hostile.Tx.ReadResponseProducer());
        // tx-copy=map: the good frame's page was mapped and given back; direct never maps.
        var counters = vif.Queues[0].Counters;
        if (txCopy == "map")
        {
            Assert.InRange(counters.TxMaps, 1, 3);
            Assert.InRange(counters.TxUnmaps, 1, counters.TxMaps);
        }
        else
        {
            Assert.Equal(0, counters.TxMaps);
        }

        // Still up: no Closing was sent, nothing logged as a warning.
        Assert.False(hostile.Channel.Socket.Poll(0, SelectMode.SelectRead), "the backend sent something on the control channel");
        Assert.Equal(1, backend.Registry.Count);
        Assert.Empty(Warnings(backend));
    }

    [Theory]
    [InlineData("direct")]
    [InlineData("bounce")]
    [InlineData("map")]
    public async Task A_frame_of_nineteen_slots_reaches_the_host_whole(string txCopy)
    {
        // 18 slots after the first are netback's limit (XEN_NETBK_LEGACY_SLOTS_MAX), not past it.
        await using var backend = new InProcessBackend(o => o.DefaultVifSpec = $"mtu=1500,tx-copy={txCopy}");
        using var hostile = HostileFrontend.Connect(backend.SocketPath);
        var host = backend.Host(hostile.VifName);
        byte[] frame = Frame(19 * 50, 0x19);
        for (int i = 0; i < 19; i++)
        {
            frame.AsSpan(i * 50, 50).CopyTo(hostile.Page(HostileFrontend.DataGref(i)));
            hostile.ProduceTx(HostileFrontend.DataGref(i), 0, i < 18 ? NetTxFlags.MoreData : NetTxFlags.None, (ushort)i,
                (ushort)(i == 0 ? frame.Length : 50));
        }
        hostile.PushTx();
        Assert.All(hostile.TakeTxResponses(19), r => Assert.Equal(NetifStatus.Okay, r.Status));
        Assert.Equal(frame, ReceiveFromHost(host));
        // tx-copy=map: one mapping per slot, all given back when the round ended.
        var counters = Assert.Single(backend.Registry.Snapshot()).Queues[0].Counters;
        Assert.Equal(txCopy == "map" ? 19 : 0, counters.TxMaps);
        if (txCopy == "map")
        {
            Assert.InRange(counters.TxUnmaps, 1, 19);
        }
    }

    private static List<(bool IsData, ushort Id)> WriteNonFatal(HostileFrontend f, string scenario)
    {
        uint p0 = HostileFrontend.DataGref(0);
        uint p1 = HostileFrontend.DataGref(1);
        var slots = new List<(bool, ushort)>();
        void Data(uint gref, ushort offset, NetTxFlags flags, ushort id, ushort size)
        {
            f.ProduceTx(gref, offset, flags, id, size);
            slots.Add((true, id));
        }
        void Extra(NetifExtraInfo e)
        {
            f.ProduceExtra(e);
            slots.Add((false, 0));
        }
        var gso = new NetifExtraInfo { Type = (byte)XenNetifExtraType.Gso, GsoSize = 1448, GsoType = (byte)XenNetifGsoType.TcpV4 };
        switch (scenario)
        {
            case "runt-first-slot":
                Data(p0, 0, NetTxFlags.None, 7, 13);
                break;
            case "empty-first-slot":
                Data(p0, 0, NetTxFlags.None, 7, 0);
                break;
            case "larger-than-mtu":
                Data(p0, 0, NetTxFlags.None, 7, 1500 + 14 + 4 + 1); // MTU 1500: largest frame 1518
                break;
            case "20-slots":
            case "21-slots":
                // 19 or 20 slots after the first: beyond XEN_NETBK_LEGACY_SLOTS_MAX (18), short of fatal_skb_slots (20) + 1.
                int count = scenario == "20-slots" ? 20 : 21;
                for (int i = 0; i < count; i++)
                {
                    Data(HostileFrontend.DataGref(i), 0, i < count - 1 ? NetTxFlags.MoreData : NetTxFlags.None, (ushort)(100 + i),
                        (ushort)(i == 0 ? count * 50 : 50));
                }
                break;
            case "later-slot-larger-than-remaining":
                Data(p0, 0, NetTxFlags.MoreData, 3, 100);
                Data(p1, 0, NetTxFlags.None, 4, 200);
                break;
            case "gso-not-negotiated":
                Data(p0, 0, NetTxFlags.ExtraInfo, 5, 100);
                Extra(gso);
                break;
            case "gso-not-negotiated-multi-slot":
                Data(p0, 0, NetTxFlags.ExtraInfo | NetTxFlags.MoreData, 5, 3000);
                Extra(gso);
                Data(p1, 0, NetTxFlags.None, 6, 1000);
                break;
            case "csum-blank-not-ip":
                byte[] arp = Frame(100, 0x41);
                arp[13] = 0x06; // ethertype 0x0806: nothing to checksum
                arp.CopyTo(f.Page(p0));
                Data(p0, 0, NetTxFlags.CsumBlank, 7, 100);
                break;
            case "gso-headers-truncated":
                // 40 bytes: the TCP header would end at 54.
                TestPackets.Build(100, ipv6: false, 6).AsSpan(0, 40).CopyTo(f.Page(p0));
                Data(p0, 0, NetTxFlags.ExtraInfo | NetTxFlags.CsumBlank, 5, 40);
                Extra(gso);
                break;
            case "gso-tcpv4-on-ipv6-frame":
                TestPackets.Build(3000, ipv6: true, 6).CopyTo(f.Page(p0));
                Data(p0, 0, NetTxFlags.ExtraInfo | NetTxFlags.CsumBlank, 5, 3000);
                Extra(gso);
                break;
            case "gso-on-udp":
                TestPackets.Build(3000, ipv6: false, 17).CopyTo(f.Page(p0));
                Data(p0, 0, NetTxFlags.ExtraInfo | NetTxFlags.CsumBlank, 5, 3000);
                Extra(gso);
                break;
            case "gso-size-beyond-64k":
                // 54 bytes of headers: no segment of a 65535-byte frame carries more than 65481.
                TestPackets.Build(3000, ipv6: false, 6).CopyTo(f.Page(p0));
                Data(p0, 0, NetTxFlags.ExtraInfo | NetTxFlags.CsumBlank, 5, 3000);
                Extra(gso with { GsoSize = 65482 });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null);
        }
        return slots;
    }

    // ---------------------------------------------------------------- valid

    [Fact]
    public async Task A_valid_multi_slot_packet_with_an_extra_arrives_intact()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath);
        var host = backend.Host(f.VifName);

        // 300 bytes: first slot's share 54 at offset 100 of page 3, then 150 at page 4 offset 0,
        // then 96 ending exactly at the end of page 5; a multicast-add extra after the first slot.
        byte[] frame = Frame(300, 0x21);
        uint a = HostileFrontend.DataGref(3), b = HostileFrontend.DataGref(4), c = HostileFrontend.DataGref(5);
        frame.AsSpan(0, 54).CopyTo(f.Page(a)[100..]);
        frame.AsSpan(54, 150).CopyTo(f.Page(b));
        frame.AsSpan(204, 96).CopyTo(f.Page(c)[4000..]);
        f.ProduceTx(a, 100, NetTxFlags.ExtraInfo | NetTxFlags.MoreData, 10, 300);
        f.ProduceExtra(new NetifExtraInfo { Type = (byte)XenNetifExtraType.McastAdd });
        f.ProduceTx(b, 0, NetTxFlags.MoreData, 11, 150);
        f.ProduceTx(c, 4000, NetTxFlags.None, 12, 96);
        f.PushTx();

        var r = f.TakeTxResponses(4);
        Assert.Equal((ushort)10, r[0].Id);
        Assert.Equal(NetifStatus.Okay, r[0].Status);
        Assert.Equal(NetifStatus.Null, r[1].Status);
        Assert.Equal((ushort)11, r[2].Id);
        Assert.Equal(NetifStatus.Okay, r[2].Status);
        Assert.Equal((ushort)12, r[3].Id);
        Assert.Equal(NetifStatus.Okay, r[3].Status);
        Assert.Equal(f.Tx.ReqProdPvt, f.Tx.ReadResponseProducer());
        Assert.Equal(frame, ReceiveFromHost(host));
        Assert.Equal(0, host.Available);
        Assert.Empty(Warnings(backend));
    }

    [Fact]
    public async Task A_frame_of_exactly_mtu_plus_vlan_header_is_accepted()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath);
        var host = backend.Host(f.VifName);
        byte[] frame = Frame(1500 + 14 + 4, 0x33);
        var rsp = f.SendFrame(frame, id: 1);
        Assert.Equal(NetifStatus.Okay, rsp.Status);
        Assert.Equal(frame, ReceiveFromHost(host));
    }

    [Fact]
    public async Task Rx_responses_sit_in_their_request_slots()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath);
        var host = backend.Host(f.VifName);
        // ids deliberately unrelated to the slot index
        f.PostRx(id: 500, HostileFrontend.DataGref(7));
        f.PostRx(id: 9, HostileFrontend.DataGref(8));
        byte[] one = Frame(200, 0x51);
        byte[] two = Frame(75, 0x52);
        host.Send(one);
        host.Send(two);
        Assert.True(Eventually(() => f.Rx.ReadResponseProducer() == 2), "two RX responses");
        var r0 = f.Rx.CopyResponse(0);
        var r1 = f.Rx.CopyResponse(1);
        Assert.Equal((ushort)500, r0.Id);
        Assert.Equal((short)200, r0.Status);
        Assert.Equal((ushort)9, r1.Id);
        Assert.Equal((short)75, r1.Status);
        Assert.Equal(one, f.Page(HostileFrontend.DataGref(7))[..200].ToArray());
        Assert.Equal(two, f.Page(HostileFrontend.DataGref(8))[..75].ToArray());
    }
}
