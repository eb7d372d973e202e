using Ring.Shared.Abi;
using Ring.Shared.Offload;
using Ring.Shared.Rings;

namespace Netback.Tests.Shared.Offload;

/// <summary>
/// virtio_net_hdr → Xen (<see cref="NetifOffload.FromVirtio"/>), on both rings: the TX ring is
/// netfront's guest TX (a frame read from its guest TAP, what <c>netfront attach</c> did with
/// VirtioOffload.TryToXen), the RX ring netback's guest RX (a frame read from the vif's TAP, the
/// daemon's VifQueue.RxTranslate).
/// </summary>
public sealed class NetifOffloadFromVirtioTests
{
    private static VirtioNetHdr Vnet(byte flags, byte gso = VirtioNetHdr.GsoNone, ushort size = 0) =>
        new() { Flags = flags, GsoType = gso, GsoSize = size, HdrLen = 66, CsumStart = 34, CsumOffset = 16 };

    private static NetifOffloadResult Map(VirtioNetHdr vnet, OffloadFeatures accepted, RingKind ring, out FrameOffload offload) =>
        NetifOffload.FromVirtio(vnet, accepted, ring, out offload);

    // ---- Guest TX (netfront): the backend's features from Connected ----

    [Fact]
    public void Tx_flags_and_gso_map_to_xen()
    {
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(0), OffloadFeatures.None, RingKind.Tx, out var o));
        Assert.Equal(FrameOffload.None, o);
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(VirtioNetHdr.FlagDataValid), OffloadFeatures.None, RingKind.Tx, out o));
        Assert.Equal(new FrameOffload(false, true, XenNetifGsoType.None, 0), o);
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(VirtioNetHdr.FlagNeedsCsum), OffloadFeatures.Csum, RingKind.Tx, out o));
        Assert.Equal(new FrameOffload(true, true, XenNetifGsoType.None, 0), o);
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(VirtioNetHdr.FlagNeedsCsum, VirtioNetHdr.GsoTcpV4, 1448), OffloadFeatures.All, RingKind.Tx, out o));
        Assert.Equal(new FrameOffload(true, true, XenNetifGsoType.TcpV4, 1448), o);
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(VirtioNetHdr.FlagNeedsCsum, VirtioNetHdr.GsoTcpV6, 1428), OffloadFeatures.All, RingKind.Tx, out o));
        Assert.Equal(new FrameOffload(true, true, XenNetifGsoType.TcpV6, 1428), o);
    }

    [Fact]
    public void Tx_csum_blank_goes_whatever_the_backend_offered()
    {
        // netback has no key to refuse csum_blank on guest TX (docs/protocol.md: honoured with offloads=off).
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(VirtioNetHdr.FlagNeedsCsum), OffloadFeatures.None, RingKind.Tx, out var o));
        Assert.Equal(new FrameOffload(true, true, XenNetifGsoType.None, 0), o);
        Assert.Equal(NetTxFlags.CsumBlank | NetTxFlags.DataValidated, o.TxFlags);
    }

    // ---- Guest RX (netback): the frontend's features from Connect ----

    [Theory]
    [InlineData(VirtioNetHdr.FlagNeedsCsum)]
    [InlineData(VirtioNetHdr.FlagNeedsCsum | VirtioNetHdr.FlagDataValid)]
    public void Rx_needs_csum_is_csum_blank_and_data_validated(byte flags)
    {
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(flags), OffloadFeatures.Csum, RingKind.Rx, out var o));
        Assert.Equal(NetRxFlags.CsumBlank | NetRxFlags.DataValidated, o.RxFlags);
        Assert.False(o.IsGso);
    }

    [Fact]
    public void Rx_data_valid_is_data_validated_and_nothing_is_nothing_whatever_the_frontend_took()
    {
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(VirtioNetHdr.FlagDataValid), OffloadFeatures.None, RingKind.Rx, out var o));
        Assert.Equal(NetRxFlags.DataValidated, o.RxFlags);
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(0), OffloadFeatures.None, RingKind.Rx, out o));
        Assert.Equal(NetRxFlags.None, o.RxFlags);
    }

    [Fact]
    public void Rx_needs_csum_to_a_frontend_without_csum_offload_is_refused()
    {
        Assert.Equal(NetifOffloadResult.CsumNotAccepted, Map(Vnet(VirtioNetHdr.FlagNeedsCsum), OffloadFeatures.None, RingKind.Rx, out var o));
        Assert.Equal(FrameOffload.None, o);
        Assert.Equal(NetifOffloadResult.CsumNotAccepted,
            Map(Vnet(VirtioNetHdr.FlagNeedsCsum, VirtioNetHdr.GsoTcpV4, 1448), OffloadFeatures.None, RingKind.Rx, out _));
    }

    [Theory]
    [InlineData(false, VirtioNetHdr.GsoTcpV4, XenNetifGsoType.TcpV4)]
    [InlineData(true, VirtioNetHdr.GsoTcpV6, XenNetifGsoType.TcpV6)]
    public void Rx_tcp_gso_is_extra_info_and_a_gso_extra(bool v6, byte gso, XenNetifGsoType xen)
    {
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(VirtioNetHdr.FlagNeedsCsum, gso, (ushort)(v6 ? 1428 : 1448)), OffloadFeatures.All, RingKind.Rx, out var o));
        Assert.Equal(NetRxFlags.CsumBlank | NetRxFlags.DataValidated | NetRxFlags.ExtraInfo, o.RxFlags);
        var extra = o.GsoExtra;
        Assert.Equal(((byte)XenNetifExtraType.Gso, (byte)0, (ushort)(v6 ? 1428 : 1448), (byte)xen),
            (extra.Type, extra.Flags, extra.GsoSize, extra.GsoType));
    }

    // ---- Both rings ----

    /// <summary>
    /// What Xen cannot carry or the receiver did not accept; the daemon's scenarios
    /// (Daemon/RxOffloadTests) and netfront attach's (the former VirtioOffloadTests), on either ring.
    /// </summary>
    [Theory]
    [InlineData(VirtioNetHdr.GsoUdp, 1400, OffloadFeatures.All, NetifOffloadResult.GsoNotCarried)]
    [InlineData(5 /* VIRTIO_NET_HDR_GSO_UDP_L4 */, 1400, OffloadFeatures.All, NetifOffloadResult.GsoNotCarried)]
    [InlineData(VirtioNetHdr.GsoTcpV4 | VirtioNetHdr.GsoEcn, 1448, OffloadFeatures.All, NetifOffloadResult.GsoNotCarried)]
    [InlineData(VirtioNetHdr.GsoTcpV6 | VirtioNetHdr.GsoEcn, 1428, OffloadFeatures.All, NetifOffloadResult.GsoNotCarried)]
    [InlineData(VirtioNetHdr.GsoTcpV4, 0, OffloadFeatures.All, NetifOffloadResult.GsoSizeZero)]
    [InlineData(VirtioNetHdr.GsoTcpV6, 0, OffloadFeatures.All, NetifOffloadResult.GsoSizeZero)]
    [InlineData(VirtioNetHdr.GsoTcpV6, 1428, OffloadFeatures.Csum | OffloadFeatures.Tso4, NetifOffloadResult.GsoNotAccepted)]
    [InlineData(VirtioNetHdr.GsoTcpV4, 1448, OffloadFeatures.Csum | OffloadFeatures.Tso6, NetifOffloadResult.GsoNotAccepted)]
    [InlineData(VirtioNetHdr.GsoTcpV4, 1448, OffloadFeatures.Csum, NetifOffloadResult.GsoNotAccepted)]
    [InlineData(VirtioNetHdr.GsoTcpV4, 1448, OffloadFeatures.Tso4, NetifOffloadResult.GsoNotAccepted)] // TSO without csum is no TSO
    public void Gso_xen_cannot_carry_or_the_receiver_did_not_accept_is_refused(byte gso, ushort size, OffloadFeatures accepted, NetifOffloadResult expected)
    {
        foreach (var ring in new[] { RingKind.Tx, RingKind.Rx })
        {
            // On the RX ring NEEDS_CSUM is refused first when the frontend takes no csum at all.
            var withCsum = ring == RingKind.Rx && (accepted & OffloadFeatures.Csum) == 0 ? NetifOffloadResult.CsumNotAccepted : expected;
            Assert.Equal(withCsum, Map(Vnet(VirtioNetHdr.FlagNeedsCsum, gso, size), accepted, ring, out var o));
            Assert.Equal(FrameOffload.None, o);
            Assert.Equal(expected, Map(Vnet(VirtioNetHdr.FlagDataValid, gso, size), accepted, ring, out o));
            Assert.Equal(FrameOffload.None, o);
        }
    }

    [Theory]
    [InlineData(RingKind.Tx)]
    [InlineData(RingKind.Rx)]
    public void Gso_without_needs_csum_is_carried_without_csum_blank(RingKind ring)
    {
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(VirtioNetHdr.FlagDataValid, VirtioNetHdr.GsoTcpV4, 1448), OffloadFeatures.All, ring, out var o));
        Assert.Equal(new FrameOffload(false, true, XenNetifGsoType.TcpV4, 1448), o);
        Assert.Equal(NetRxFlags.DataValidated | NetRxFlags.ExtraInfo, o.RxFlags);
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(0, VirtioNetHdr.GsoTcpV6, 1428), OffloadFeatures.All, ring, out o));
        Assert.Equal(new FrameOffload(false, false, XenNetifGsoType.TcpV6, 1428), o);
    }

    [Fact]
    public void Gso_size_is_carried_only_with_gso_and_other_header_fields_are_ignored()
    {
        // hdr_len, csum_start and csum_offset are the kernel's hints; Xen carries none of them.
        var vnet = new VirtioNetHdr { Flags = VirtioNetHdr.FlagNeedsCsum, GsoSize = 1448, HdrLen = 1, CsumStart = 2, CsumOffset = 3 };
        Assert.Equal(NetifOffloadResult.Mapped, Map(vnet, OffloadFeatures.All, RingKind.Rx, out var o));
        Assert.Equal(new FrameOffload(true, true, XenNetifGsoType.None, 0), o);
        // VIRTIO_NET_HDR_F_RSC_INFO and unknown flag bits carry nothing either.
        Assert.Equal(NetifOffloadResult.Mapped, Map(Vnet(0xFC), OffloadFeatures.All, RingKind.Tx, out o));
        Assert.Equal(FrameOffload.None, o);
    }
}
