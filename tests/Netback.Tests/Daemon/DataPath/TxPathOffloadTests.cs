using System.Buffers.Binary;
using Ring.Shared.Abi;
using Ring.Shared.Offload;
using Netback.Tests.Support;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// Guest TX offloads through the real backend: Xen's csum_blank/data_validated flags and GSO extra
/// become the virtio_net_hdr in front of the frame on the (socketpair) TAP.
/// </summary>
public sealed class TxPathOffloadTests
{
    private static (byte[] Frame, VirtioNetHdr Header) ReceiveWithHeader(HostTap host)
    {
        host.ReceiveTimeout = (int)Patience.TotalMilliseconds;
        var buffer = new byte[70_000];
        int n = host.Receive(buffer, out var header);
        return (buffer.AsSpan(0, n).ToArray(), header);
    }

    [Theory]
    [InlineData(false, 6, 16)]
    [InlineData(false, 17, 6)]
    [InlineData(true, 6, 16)]
    [InlineData(true, 17, 6)]
    public async Task Csum_blank_becomes_needs_csum_at_the_transport_header(bool ipv6, byte protocol, int csumOffset)
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath);
        var host = backend.Host(f.VifName);
        byte[] frame = TestPackets.Build(300, ipv6, protocol);
        frame.CopyTo(f.Page(HostileFrontend.DataGref(0)));
        f.ProduceTx(HostileFrontend.DataGref(0), 0, NetTxFlags.CsumBlank | NetTxFlags.DataValidated, 1, 300);
        f.PushTx();
        Assert.Equal(NetifStatus.Okay, f.TakeTxResponses(1)[0].Status);

        var (got, h) = ReceiveWithHeader(host);
        Assert.Equal(frame, got);
        Assert.Equal(VirtioNetHdr.FlagNeedsCsum, h.Flags);
        Assert.Equal(VirtioNetHdr.GsoNone, h.GsoType);
        Assert.Equal(TestPackets.TransportOffset(ipv6), h.CsumStart);
        Assert.Equal(csumOffset, h.CsumOffset);
        var q = Assert.Single(backend.Registry.Snapshot()).Queues[0];
        Assert.Equal(1, q.Counters.TxCsumBlankFrames);
        Assert.Equal(0, q.Counters.TxGsoFrames);
    }

    [Theory]
    [InlineData(NetTxFlags.DataValidated, VirtioNetHdr.FlagDataValid)]
    [InlineData(NetTxFlags.None, 0)]
    public async Task Data_validated_alone_becomes_data_valid(NetTxFlags flags, byte expected)
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath);
        var host = backend.Host(f.VifName);
        byte[] frame = Frame(120, 0x61); // not even parsable: nothing is parsed without csum_blank/GSO
        frame.CopyTo(f.Page(HostileFrontend.DataGref(0)));
        f.ProduceTx(HostileFrontend.DataGref(0), 0, flags, 1, 120);
        f.PushTx();
        Assert.Equal(NetifStatus.Okay, f.TakeTxResponses(1)[0].Status);
        var (got, h) = ReceiveWithHeader(host);
        Assert.Equal(frame, got);
        Assert.Equal(expected, h.Flags);
        Assert.Equal(0, h.CsumStart);
    }

    /// <summary>
    /// A 65535-byte TCP/IPv4 frame over 17 slots: 40 bytes at the end of the first page (so the 54
    /// bytes of headers span two slots), 15 full pages, 4055 bytes in the last.
    /// </summary>
    [Theory]
    [InlineData("direct", false)]
    [InlineData("bounce", false)]
    [InlineData("direct", true)]
    [InlineData("bounce", true)]
    public async Task A_64k_gso_frame_over_17_slots_is_one_frame_with_gso_fields(string copy, bool ipv6)
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath, $"tx-copy={copy}");
        var host = backend.Host(f.VifName);
        const int total = 65535;
        byte[] frame = TestPackets.Build(total, ipv6, 6);
        ProduceGsoFrame(f, frame, NetTxFlags.CsumBlank, ipv6 ? XenNetifGsoType.TcpV6 : XenNetifGsoType.TcpV4, 1448);

        var r = f.TakeTxResponses(18);
        Assert.Equal((ushort)0, r[0].Id);
        Assert.Equal(NetifStatus.Okay, r[0].Status);
        Assert.Equal(NetifStatus.Null, r[1].Status);
        for (int i = 2; i < 18; i++)
        {
            Assert.Equal((ushort)(i - 1), r[i].Id);
            Assert.Equal(NetifStatus.Okay, r[i].Status);
        }

        var (got, h) = ReceiveWithHeader(host);
        Assert.Equal(frame, got);
        int transport = TestPackets.TransportOffset(ipv6);
        Assert.Equal(VirtioNetHdr.FlagNeedsCsum, h.Flags);
        Assert.Equal(ipv6 ? VirtioNetHdr.GsoTcpV6 : VirtioNetHdr.GsoTcpV4, h.GsoType);
        Assert.Equal(1448, h.GsoSize);
        Assert.Equal(transport + TestPackets.TcpLength, h.HdrLen);
        Assert.Equal(transport, h.CsumStart);
        Assert.Equal(16, h.CsumOffset);
        Assert.Equal(0, host.Available);
        var q = Assert.Single(backend.Registry.Snapshot()).Queues[0];
        Assert.Equal(1, q.Counters.TxGsoFrames);
        Assert.Equal(1, q.Counters.TxPackets);
        Assert.Equal(total, q.Counters.TxBytes);
        Assert.Empty(Warnings(backend));
    }

    [Fact]
    public async Task A_gso_frame_without_csum_blank_gets_the_pseudo_header_sum_in_the_copy_only()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath);
        var host = backend.Host(f.VifName);
        const int total = 20_000;
        byte[] frame = TestPackets.Build(total, ipv6: false, 6);
        ProduceGsoFrame(f, frame, NetTxFlags.DataValidated, XenNetifGsoType.TcpV4, 1448);
        Assert.All(f.TakeTxResponses(2 + (total - 40 - 1) / 4096 + 1), r => Assert.NotEqual(NetifStatus.Error, r.Status));

        var (got, h) = ReceiveWithHeader(host);
        Assert.Equal(VirtioNetHdr.FlagNeedsCsum, h.Flags);
        // 10.0.0.2 → 10.0.0.1, TCP, L4 length total - 34: the folded, uncomplemented sum.
        uint sum = 0x0a00 + 0x0002 + 0x0a00 + 0x0001 + 6 + (uint)(total - 34);
        sum = (sum & 0xFFFF) + (sum >> 16);
        Assert.Equal((ushort)sum, BinaryPrimitives.ReadUInt16BigEndian(got.AsSpan(34 + 16)));
        got.AsSpan(34 + 16, 2).CopyTo(frame.AsSpan(34 + 16));
        Assert.Equal(frame, got);
        // The frontend's page still holds what it wrote: only the backend's copy was fixed up.
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(f.Page(HostileFrontend.DataGref(1)).Slice(34 + 16 - 40, 2)));
    }

    [Fact]
    public async Task Csum_blank_is_honoured_with_offloads_off()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath, "offloads=off");
        var host = backend.Host(f.VifName);
        byte[] frame = TestPackets.Build(200, ipv6: false, 17);
        frame.CopyTo(f.Page(HostileFrontend.DataGref(0)));
        f.ProduceTx(HostileFrontend.DataGref(0), 0, NetTxFlags.CsumBlank, 1, 200);
        f.PushTx();
        Assert.Equal(NetifStatus.Okay, f.TakeTxResponses(1)[0].Status);
        var (got, h) = ReceiveWithHeader(host);
        Assert.Equal(frame, got);
        Assert.Equal(VirtioNetHdr.FlagNeedsCsum, h.Flags);
        Assert.Equal(34, h.CsumStart);
        Assert.Equal(6, h.CsumOffset);
    }

    /// <summary>Lays <paramref name="frame"/> out as 40 bytes at offset 4056 of page 0, then full pages, then the rest.</summary>
    private static void ProduceGsoFrame(HostileFrontend f, byte[] frame, NetTxFlags flags, XenNetifGsoType type, ushort mss)
    {
        const int firstShare = 40;
        frame.AsSpan(0, firstShare).CopyTo(f.Page(HostileFrontend.DataGref(0))[(4096 - firstShare)..]);
        f.ProduceTx(HostileFrontend.DataGref(0), 4096 - firstShare, flags | NetTxFlags.ExtraInfo | NetTxFlags.MoreData, 0,
            (ushort)frame.Length);
        f.ProduceExtra(new NetifExtraInfo { Type = (byte)XenNetifExtraType.Gso, GsoSize = mss, GsoType = (byte)type });
        int offset = firstShare;
        for (int slot = 1; offset < frame.Length; slot++)
        {
            int size = Math.Min(4096, frame.Length - offset);
            frame.AsSpan(offset, size).CopyTo(f.Page(HostileFrontend.DataGref(slot)));
            offset += size;
            f.ProduceTx(HostileFrontend.DataGref(slot), 0, offset < frame.Length ? NetTxFlags.MoreData : NetTxFlags.None,
                (ushort)slot, (ushort)size);
        }
        f.PushTx();
    }
}
