using System.Runtime.CompilerServices;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Offload;
using Netback.Tests.Support;
using Netback.Tests.Daemon.Xenbus;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// Guest RX offloads through the real backend: what the (socketpair) TAP hands over behind a
/// virtio_net_hdr becomes Xen's csum flags, GSO extra-info slot and data responses.
/// </summary>
public sealed class RxPathOffloadTests
{
    /// <summary>Posts <paramref name="count"/> buffers: id 100 + i on data page i.</summary>
    private static void Post(HostileFrontend f, int count)
    {
        for (int i = 0; i < count; i++)
        {
            f.PostRx((ushort)(100 + i), HostileFrontend.DataGref(i));
        }
    }

    private static NetifRxResponse Response(HostileFrontend f, int slot) => f.Rx.CopyResponse((uint)slot);

    private static VirtioNetHdr TcpGso(bool ipv6, ushort mss) => new()
    {
        Flags = VirtioNetHdr.FlagNeedsCsum,
        GsoType = ipv6 ? VirtioNetHdr.GsoTcpV6 : VirtioNetHdr.GsoTcpV4,
        GsoSize = mss,
        HdrLen = (ushort)(TestPackets.TransportOffset(ipv6) + TestPackets.TcpLength),
        CsumStart = (ushort)TestPackets.TransportOffset(ipv6),
        CsumOffset = 16,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_gso_frame_fills_slot_0_an_extra_and_data_slots(bool ipv6)
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath, configure: BackendOffloadNegotiationTests.AcceptAll);
        var host = backend.Host(f.VifName);
        Post(f, 18); // TSO on: the backend reads only with 18 buffers posted
        const int length = 30_000; // 8 pages: slot 0, the extra in slot 1, slots 2..8
        byte[] frame = TestPackets.Build(length, ipv6, 6);
        host.Send(TcpGso(ipv6, 1448), frame);
        Assert.True(Eventually(() => f.Rx.ReadResponseProducer() == 9), $"9 RX responses, got {f.Rx.ReadResponseProducer()}");

        var r0 = Response(f, 0);
        Assert.Equal((ushort)100, r0.Id);
        Assert.Equal((short)4096, r0.Status);
        Assert.Equal(0, r0.Offset);
        Assert.Equal(NetRxFlags.ExtraInfo | NetRxFlags.MoreData | NetRxFlags.CsumBlank | NetRxFlags.DataValidated, (NetRxFlags)r0.Flags);
        var raw = Response(f, 1);
        var extra = Unsafe.As<NetifRxResponse, NetifExtraInfo>(ref raw);
        Assert.Equal((byte)XenNetifExtraType.Gso, extra.Type);
        Assert.Equal(0, extra.Flags);
        Assert.Equal(1448, extra.GsoSize);
        Assert.Equal((byte)(ipv6 ? XenNetifGsoType.TcpV6 : XenNetifGsoType.TcpV4), extra.GsoType);
        Assert.Equal(frame.AsSpan(0, 4096).ToArray(), f.Page(HostileFrontend.DataGref(0))[..4096].ToArray());
        Assert.True(f.Page(HostileFrontend.DataGref(1)).IndexOfAnyExcept((byte)0) < 0, "the extra slot's page was written");
        for (int slot = 2; slot <= 8; slot++)
        {
            var r = Response(f, slot);
            int offset = (slot - 1) * 4096;
            int size = Math.Min(4096, length - offset);
            Assert.Equal((ushort)(100 + slot), r.Id);
            Assert.Equal((short)size, r.Status);
            Assert.Equal(slot < 8 ? NetRxFlags.MoreData : NetRxFlags.None, (NetRxFlags)r.Flags);
            Assert.Equal(frame.AsSpan(offset, size).ToArray(), f.Page(HostileFrontend.DataGref(slot))[..size].ToArray());
        }
        var q = Assert.Single(backend.Registry.Snapshot()).Queues[0];
        Assert.Equal(1, q.Counters.RxGsoFrames);
        Assert.Equal(1, q.Counters.RxCsumBlankFrames);
        Assert.Equal(length, q.Counters.RxBytes);
    }

    [Fact]
    public async Task A_one_page_gso_frame_has_the_extra_but_no_more_data()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath, configure: BackendOffloadNegotiationTests.AcceptAll);
        var host = backend.Host(f.VifName);
        Post(f, 18);
        byte[] frame = TestPackets.Build(3000, ipv6: false, 6);
        host.Send(TcpGso(false, 1000), frame);
        Assert.True(Eventually(() => f.Rx.ReadResponseProducer() == 2));
        var r0 = Response(f, 0);
        Assert.Equal(NetRxFlags.ExtraInfo | NetRxFlags.CsumBlank | NetRxFlags.DataValidated, (NetRxFlags)r0.Flags);
        Assert.Equal((short)3000, r0.Status);
        var raw = Response(f, 1);
        Assert.Equal(1000, Unsafe.As<NetifRxResponse, NetifExtraInfo>(ref raw).GsoSize);
    }

    [Fact]
    public async Task A_plain_multi_page_frame_with_tso_on_has_an_empty_slot_1()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath, configure: BackendOffloadNegotiationTests.AcceptAll);
        var host = backend.Host(f.VifName);
        Post(f, 18);
        byte[] frame = Frame(6000, 0x71);
        host.Send(frame);
        Assert.True(Eventually(() => f.Rx.ReadResponseProducer() == 3));
        var r0 = Response(f, 0);
        var r1 = Response(f, 1);
        var r2 = Response(f, 2);
        Assert.Equal(((ushort)100, (short)4096, NetRxFlags.MoreData), (r0.Id, r0.Status, (NetRxFlags)r0.Flags));
        Assert.Equal(((ushort)101, (short)0, NetRxFlags.MoreData), (r1.Id, r1.Status, (NetRxFlags)r1.Flags));
        Assert.Equal(((ushort)102, (short)1904, NetRxFlags.None), (r2.Id, r2.Status, (NetRxFlags)r2.Flags));
        Assert.Equal(frame.AsSpan(0, 4096).ToArray(), f.Page(HostileFrontend.DataGref(0))[..4096].ToArray());
        Assert.Equal(frame.AsSpan(4096).ToArray(), f.Page(HostileFrontend.DataGref(2))[..1904].ToArray());
    }

    [Fact]
    public async Task Without_rx_features_data_valid_is_data_validated_in_one_slot()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath);
        var host = backend.Host(f.VifName);
        Post(f, 1); // MTU 1500: one buffer per frame
        byte[] frame = Frame(1000, 0x72);
        host.Send(new VirtioNetHdr { Flags = VirtioNetHdr.FlagDataValid }, frame);
        Assert.True(Eventually(() => f.Rx.ReadResponseProducer() == 1));
        var r0 = Response(f, 0);
        Assert.Equal(((ushort)100, (short)1000, NetRxFlags.DataValidated), (r0.Id, r0.Status, (NetRxFlags)r0.Flags));
    }

    /// <summary>What the kernel would not hand over after our TUNSETOFFLOAD, or Xen cannot carry: dropped and counted.</summary>
    [Theory]
    [InlineData("needs-csum-without-csum-offload")]
    [InlineData("tcpv4-gso-without-features")]
    [InlineData("udp-gso")]
    [InlineData("ecn")]
    [InlineData("gso-size-0")]
    [InlineData("tcpv6-gso-without-tso6")]
    public async Task Offloads_the_frontend_cannot_take_are_dropped(string scenario)
    {
        await using var backend = new InProcessBackend();
        Action<ControlMessage>? keys = scenario switch
        {
            "needs-csum-without-csum-offload" or "tcpv4-gso-without-features" => null,
            "tcpv6-gso-without-tso6" => m =>
            {
                BackendOffloadNegotiationTests.AcceptAll(m);
                m.Set(XenbusKeys.FeatureGsoTcpV6, false);
            },
            _ => BackendOffloadNegotiationTests.AcceptAll,
        };
        using var f = HostileFrontend.Connect(backend.SocketPath, configure: keys);
        var host = backend.Host(f.VifName);
        Post(f, 18);
        var h = scenario switch
        {
            "needs-csum-without-csum-offload" => new VirtioNetHdr { Flags = VirtioNetHdr.FlagNeedsCsum, CsumStart = 34, CsumOffset = 16 },
            "tcpv4-gso-without-features" => TcpGso(false, 1448),
            "udp-gso" => TcpGso(false, 1448) with { GsoType = VirtioNetHdr.GsoUdp },
            "ecn" => TcpGso(false, 1448) with { GsoType = VirtioNetHdr.GsoTcpV4 | VirtioNetHdr.GsoEcn },
            "gso-size-0" => TcpGso(false, 0),
            "tcpv6-gso-without-tso6" => TcpGso(true, 1448),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };
        host.Send(h, TestPackets.Build(3000, scenario == "tcpv6-gso-without-tso6", 6));
        var q = Assert.Single(backend.Registry.Snapshot()).Queues[0];
        Assert.True(Eventually(() => q.Counters.RxOffloadDrops == 1), "the frame should be dropped and counted");

        // Nothing was answered; the next good frame lands in the first posted buffer.
        Assert.Equal(0u, f.Rx.ReadResponseProducer());
        byte[] good = Frame(80, 0x73);
        host.Send(good);
        Assert.True(Eventually(() => f.Rx.ReadResponseProducer() == 1));
        var r0 = Response(f, 0);
        Assert.Equal(((ushort)100, (short)80), (r0.Id, r0.Status));
        Assert.Equal(good, f.Page(HostileFrontend.DataGref(0))[..80].ToArray());
        Assert.Equal(0, q.Counters.RxErrors);
        Assert.Equal(1, q.Counters.RxPackets);
    }
}
