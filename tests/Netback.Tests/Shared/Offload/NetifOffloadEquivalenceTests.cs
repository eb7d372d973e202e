using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Netback.Tests.Support;
using Ring.Shared.Abi;
using Ring.Shared.Offload;
using Ring.Shared.Rings;
using static Netback.Tests.Shared.Offload.LegacyOffloadMappings;

namespace Netback.Tests.Shared.Offload;

/// <summary>
/// <see cref="NetifOffload"/> called as each side calls it decides exactly as the four mappings it
/// replaces (<see cref="LegacyOffloadMappings"/>), on every virtio_net_hdr the kernel could hand over
/// and on every combination of Xen metadata with a spread of well-formed, truncated and foreign
/// headers. <see cref="TxWrite"/> and <see cref="RxTranslate"/> are the calls the daemon is to make.
/// </summary>
public sealed class NetifOffloadEquivalenceTests
{
    /// <summary>VifQueue.TxWrite's header part on the new API: how the daemon keeps today's behaviour.</summary>
    private static TxDrop TxWrite(Span<byte> copy, int total, NetTxFlags flags, NetifExtraInfo gso, out VirtioNetHdr h)
    {
        switch (NetifOffload.ToVirtio(FrameOffload.FromTx(flags, gso), copy, RingKind.Tx, out h, out var headers))
        {
            case NetifOffloadResult.Mapped:
                return TxDrop.None;
            case NetifOffloadResult.NeedsPseudoHeaderChecksum:
                NetifOffload.WritePseudoHeaderChecksum(copy, headers, total);
                return TxDrop.None;
            case NetifOffloadResult.HeadersUnparsable:
                return TxDrop.HeadersUnparsable;
            case NetifOffloadResult.GsoTypeMismatch:
                return TxDrop.GsoTypeMismatch;
            case NetifOffloadResult.GsoSizeOutOfRange:
                return TxDrop.GsoSizeOutOfRange;
            default:
                throw new InvalidOperationException("not a result of the TX ring's ToVirtio");
        }
    }

    /// <summary>VifQueue.RxTranslate on the new API.</summary>
    private static bool RxTranslate(in VirtioNetHdr h, OffloadFeatures accepted, out NetRxFlags flags, out NetifExtraInfo extra)
    {
        var result = NetifOffload.FromVirtio(h, accepted, RingKind.Rx, out var offload);
        flags = offload.RxFlags;
        extra = offload.GsoExtra;
        return result == NetifOffloadResult.Mapped;
    }

    private static readonly ushort[] GsoSizes = [0, 1, 1448, 65_481, 65_482, 65_535];

    [Fact]
    public void From_virtio_agrees_with_netfront_attach_and_the_daemon_on_every_header()
    {
        // Every flags byte, every gso_type byte, sizes at the edges; for the daemon the feature sets
        // VifOffloads.For can produce (normalised), for netfront attach any set (it normalised itself).
        OffloadFeatures[] daemonSets = [OffloadFeatures.None, OffloadFeatures.Csum, OffloadFeatures.Csum | OffloadFeatures.Tso4,
            OffloadFeatures.Csum | OffloadFeatures.Tso6, OffloadFeatures.All];
        long cases = 0;
        for (int flags = 0; flags < 256; flags++)
        {
            for (int gso = 0; gso < 256; gso++)
            {
                foreach (ushort size in GsoSizes)
                {
                    var vnet = new VirtioNetHdr { Flags = (byte)flags, GsoType = (byte)gso, GsoSize = size, HdrLen = 54, CsumStart = 34, CsumOffset = 16 };
                    for (int set = 0; set < 8; set++)
                    {
                        bool legacy = ClientTryToXen(vnet, (OffloadFeatures)set, out var expected);
                        var result = NetifOffload.FromVirtio(vnet, (OffloadFeatures)set, RingKind.Tx, out var actual);
                        if (legacy != (result == NetifOffloadResult.Mapped) || expected != actual)
                        {
                            Assert.Fail($"TX ring, {Describe(vnet)}, backend {(OffloadFeatures)set}: was {legacy} {expected}, now {result} {actual}");
                        }
                        cases++;
                    }
                    foreach (var accepted in daemonSets)
                    {
                        bool legacy = DaemonRxTranslate(vnet, accepted, out var flagsWas, out var extraWas);
                        bool now = RxTranslate(vnet, accepted, out var flagsNow, out var extraNow);
                        if (legacy != now || (legacy && (flagsWas != flagsNow || Bits(extraWas) != Bits(extraNow))))
                        {
                            Assert.Fail($"RX ring, {Describe(vnet)}, frontend {accepted}: was {legacy} {flagsWas} {Bits(extraWas):x16}, now {now} {flagsNow} {Bits(extraNow):x16}");
                        }
                        cases++;
                    }
                }
            }
        }
        Assert.Equal(256L * 256 * GsoSizes.Length * 13, cases);
    }

    [Fact]
    public void To_virtio_agrees_with_netfront_attach_and_the_daemon_on_every_metadata_and_header_shape()
    {
        long cases = 0;
        foreach (var (name, frame) in Frames())
        {
            foreach (int cut in (int[])[0, 13, 14, 33, 34, 41, 53, 54, 55, 73, 74, 75, 256])
            {
                int length = Math.Min(cut, frame.Length);
                foreach (var offload in Offloads())
                {
                    string what = $"{name} cut at {length}, {offload}";
                    // Netfront attach (guest RX): the frame's first bytes, read only.
                    bool legacy = ClientTryToVirtio(offload, frame.AsSpan(0, length), out var expected);
                    var result = NetifOffload.ToVirtio(offload, frame.AsSpan(0, length), RingKind.Rx, out var actual, out _);
                    if (legacy != (result == NetifOffloadResult.Mapped) || (legacy && !Same(expected, actual)))
                    {
                        Assert.Fail($"RX ring, {what}: was {legacy} {Describe(expected)}, now {result} {Describe(actual)}");
                    }

                    // The daemon (guest TX): its private copy, which the pseudo-header sum may change.
                    var flags = offload.TxFlags;
                    var extra = offload.GsoExtra;
                    byte[] copyWas = frame[..length];
                    byte[] copyNow = frame[..length];
                    var dropWas = DaemonTxWrite(copyWas, frame.Length, flags, extra, out var hWas);
                    var dropNow = TxWrite(copyNow, frame.Length, flags, extra, out var hNow);
                    if (dropWas != dropNow || (dropWas == TxDrop.None && !Same(hWas, hNow)) || !copyWas.AsSpan().SequenceEqual(copyNow))
                    {
                        Assert.Fail($"TX ring, {what}: was {dropWas} {Describe(hWas)}, now {dropNow} {Describe(hNow)}");
                    }
                    cases++;
                }
            }
        }
        Assert.True(cases > 5000, $"only {cases} cases");
    }

    /// <summary>csum_blank × data_validated × no GSO, TCPV4, TCPV6 × sizes at the TX ring's bound.</summary>
    private static IEnumerable<FrameOffload> Offloads()
    {
        foreach (bool blank in (bool[])[false, true])
        {
            foreach (bool valid in (bool[])[false, true])
            {
                yield return new FrameOffload(blank, valid, XenNetifGsoType.None, 0);
                foreach (var type in (XenNetifGsoType[])[XenNetifGsoType.TcpV4, XenNetifGsoType.TcpV6])
                {
                    foreach (ushort size in GsoSizes)
                    {
                        yield return new FrameOffload(blank, valid, type, size);
                    }
                }
            }
        }
    }

    private static IEnumerable<(string Name, byte[] Frame)> Frames()
    {
        foreach (bool v6 in (bool[])[false, true])
        {
            foreach (byte l4 in (byte[])[PacketHeaders.ProtocolTcp, PacketHeaders.ProtocolUdp])
            {
                foreach (int total in (int[])[100, 1514, 65_535])
                {
                    yield return ($"{(v6 ? "IPv6" : "IPv4")}/{l4} {total} B", TestPackets.Build(total, v6, l4));
                }
            }
        }
        byte[] tagged = TestPackets.Build(9000, false, PacketHeaders.ProtocolTcp);
        tagged = [.. tagged.AsSpan(0, 12), 0x81, 0x00, 0x00, 0x07, .. tagged.AsSpan(12)];
        yield return ("VLAN IPv4/TCP", tagged);
        byte[] fragment = TestPackets.Build(1514, false, PacketHeaders.ProtocolTcp);
        fragment[14 + 6] = 0x20; // MF
        yield return ("IPv4 fragment", fragment);
        yield return ("ICMP", TestPackets.Build(98, false, 1));
        byte[] arp = new byte[60];
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(12), 0x0806);
        yield return ("ARP", arp);
        var random = new Random(7);
        byte[] noise = new byte[300];
        random.NextBytes(noise);
        yield return ("noise", noise);
        noise = (byte[])noise.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(noise.AsSpan(12), 0x0800);
        noise[14] = 0x45;
        noise[14 + 6] = 0;
        noise[14 + 9] = PacketHeaders.ProtocolTcp;
        yield return ("IPv4 noise", noise);
    }

    private static bool Same(VirtioNetHdr a, VirtioNetHdr b) =>
        (a.Flags, a.GsoType, a.HdrLen, a.GsoSize, a.CsumStart, a.CsumOffset) == (b.Flags, b.GsoType, b.HdrLen, b.GsoSize, b.CsumStart, b.CsumOffset);

    private static string Describe(VirtioNetHdr h) =>
        $"{{flags {h.Flags} gso {h.GsoType}/{h.GsoSize} hdr_len {h.HdrLen} csum {h.CsumStart}+{h.CsumOffset}}}";

    private static ulong Bits(NetifExtraInfo e) => Unsafe.As<NetifExtraInfo, ulong>(ref e);
}
