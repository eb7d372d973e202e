using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Ring.Shared.Abi;
using Ring.Shared.Rings;

namespace Netback.Tests.Shared.Abi;

/// <summary>
/// Compiles a C program against Xen's own <c>xen/io/netif.h</c> (Debian's libxen-dev) and compares every
/// size, offset, ring size and constant it prints with the C# side, as Tmds.LibC's tests do per struct.
/// </summary>
public sealed class XenHeaderTests
{
    private const string Header = "/usr/include/xen/io/netif.h";

    private const string Program = """
        #include <stdint.h>
        #include <stddef.h>
        #include <stdio.h>
        #include <xen/io/netif.h>

        #define SZ(t) printf("sizeof %s %zu\n", #t, sizeof(t))
        #define OFF(t, f) printf("offsetof %s.%s %zu\n", #t, #f, offsetof(t, f))
        #define VAL(n) printf("value %s %ld\n", #n, (long)(n))

        int main(void)
        {
            SZ(struct netif_tx_request);
            OFF(struct netif_tx_request, gref);
            OFF(struct netif_tx_request, offset);
            OFF(struct netif_tx_request, flags);
            OFF(struct netif_tx_request, id);
            OFF(struct netif_tx_request, size);
            SZ(struct netif_tx_response);
            OFF(struct netif_tx_response, id);
            OFF(struct netif_tx_response, status);
            SZ(struct netif_rx_request);
            OFF(struct netif_rx_request, id);
            OFF(struct netif_rx_request, pad);
            OFF(struct netif_rx_request, gref);
            SZ(struct netif_rx_response);
            OFF(struct netif_rx_response, id);
            OFF(struct netif_rx_response, offset);
            OFF(struct netif_rx_response, flags);
            OFF(struct netif_rx_response, status);
            SZ(struct netif_extra_info);
            OFF(struct netif_extra_info, type);
            OFF(struct netif_extra_info, flags);
            OFF(struct netif_extra_info, u.gso.size);
            OFF(struct netif_extra_info, u.gso.type);
            OFF(struct netif_extra_info, u.gso.pad);
            OFF(struct netif_extra_info, u.gso.features);
            SZ(union netif_tx_sring_entry);
            SZ(union netif_rx_sring_entry);
            OFF(struct netif_tx_sring, req_prod);
            OFF(struct netif_tx_sring, req_event);
            OFF(struct netif_tx_sring, rsp_prod);
            OFF(struct netif_tx_sring, rsp_event);
            OFF(struct netif_tx_sring, ring);
            OFF(struct netif_rx_sring, req_prod);
            OFF(struct netif_rx_sring, req_event);
            OFF(struct netif_rx_sring, rsp_prod);
            OFF(struct netif_rx_sring, rsp_event);
            OFF(struct netif_rx_sring, ring);
            for (int k = 0; k <= 4; k++) {
                printf("ringsize tx.%d %u\n", k, (unsigned)__CONST_RING_SIZE(netif_tx, 4096 << k));
                printf("ringsize rx.%d %u\n", k, (unsigned)__CONST_RING_SIZE(netif_rx, 4096 << k));
            }
            VAL(NETTXF_csum_blank);
            VAL(NETTXF_data_validated);
            VAL(NETTXF_more_data);
            VAL(NETTXF_extra_info);
            VAL(NETRXF_data_validated);
            VAL(NETRXF_csum_blank);
            VAL(NETRXF_more_data);
            VAL(NETRXF_extra_info);
            VAL(NETRXF_gso_prefix);
            VAL(NETIF_RSP_DROPPED);
            VAL(NETIF_RSP_ERROR);
            VAL(NETIF_RSP_OKAY);
            VAL(NETIF_RSP_NULL);
            VAL(XEN_NETIF_EXTRA_TYPE_NONE);
            VAL(XEN_NETIF_EXTRA_TYPE_GSO);
            VAL(XEN_NETIF_EXTRA_TYPE_MCAST_ADD);
            VAL(XEN_NETIF_EXTRA_TYPE_MCAST_DEL);
            VAL(XEN_NETIF_EXTRA_TYPE_HASH);
            VAL(XEN_NETIF_EXTRA_FLAG_MORE);
            VAL(XEN_NETIF_GSO_TYPE_NONE);
            VAL(XEN_NETIF_GSO_TYPE_TCPV4);
            VAL(XEN_NETIF_GSO_TYPE_TCPV6);
            VAL(XEN_NETIF_NR_SLOTS_MIN);
            VAL(XEN_NETIF_MAX_TX_SIZE);
            return 0;
        }
        """;

    private static int Offset<TStruct, TField>(ref TStruct s, ref TField field) =>
        (int)Unsafe.ByteOffset(ref Unsafe.As<TStruct, byte>(ref s), ref Unsafe.As<TField, byte>(ref field));

    /// <summary>The C# side of every line the C program prints.</summary>
    private static Dictionary<string, long> Expected()
    {
        var txq = default(NetifTxRequest);
        var txr = default(NetifTxResponse);
        var rxq = default(NetifRxRequest);
        var rxr = default(NetifRxResponse);
        var ext = default(NetifExtraInfo);
        var e = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["sizeof struct netif_tx_request"] = Unsafe.SizeOf<NetifTxRequest>(),
            ["offsetof struct netif_tx_request.gref"] = Offset(ref txq, ref txq.Gref),
            ["offsetof struct netif_tx_request.offset"] = Offset(ref txq, ref txq.Offset),
            ["offsetof struct netif_tx_request.flags"] = Offset(ref txq, ref txq.Flags),
            ["offsetof struct netif_tx_request.id"] = Offset(ref txq, ref txq.Id),
            ["offsetof struct netif_tx_request.size"] = Offset(ref txq, ref txq.Size),
            ["sizeof struct netif_tx_response"] = Unsafe.SizeOf<NetifTxResponse>(),
            ["offsetof struct netif_tx_response.id"] = Offset(ref txr, ref txr.Id),
            ["offsetof struct netif_tx_response.status"] = Offset(ref txr, ref txr.Status),
            ["sizeof struct netif_rx_request"] = Unsafe.SizeOf<NetifRxRequest>(),
            ["offsetof struct netif_rx_request.id"] = Offset(ref rxq, ref rxq.Id),
            ["offsetof struct netif_rx_request.pad"] = Offset(ref rxq, ref rxq.Pad),
            ["offsetof struct netif_rx_request.gref"] = Offset(ref rxq, ref rxq.Gref),
            ["sizeof struct netif_rx_response"] = Unsafe.SizeOf<NetifRxResponse>(),
            ["offsetof struct netif_rx_response.id"] = Offset(ref rxr, ref rxr.Id),
            ["offsetof struct netif_rx_response.offset"] = Offset(ref rxr, ref rxr.Offset),
            ["offsetof struct netif_rx_response.flags"] = Offset(ref rxr, ref rxr.Flags),
            ["offsetof struct netif_rx_response.status"] = Offset(ref rxr, ref rxr.Status),
            ["sizeof struct netif_extra_info"] = Unsafe.SizeOf<NetifExtraInfo>(),
            ["offsetof struct netif_extra_info.type"] = Offset(ref ext, ref ext.Type),
            ["offsetof struct netif_extra_info.flags"] = Offset(ref ext, ref ext.Flags),
            ["offsetof struct netif_extra_info.u.gso.size"] = Offset(ref ext, ref ext.GsoSize),
            ["offsetof struct netif_extra_info.u.gso.type"] = Offset(ref ext, ref ext.GsoType),
            ["offsetof struct netif_extra_info.u.gso.pad"] = Offset(ref ext, ref ext.GsoPad),
            ["offsetof struct netif_extra_info.u.gso.features"] = Offset(ref ext, ref ext.GsoFeatures),
            ["value NETTXF_csum_blank"] = (long)NetTxFlags.CsumBlank,
            ["value NETTXF_data_validated"] = (long)NetTxFlags.DataValidated,
            ["value NETTXF_more_data"] = (long)NetTxFlags.MoreData,
            ["value NETTXF_extra_info"] = (long)NetTxFlags.ExtraInfo,
            ["value NETRXF_data_validated"] = (long)NetRxFlags.DataValidated,
            ["value NETRXF_csum_blank"] = (long)NetRxFlags.CsumBlank,
            ["value NETRXF_more_data"] = (long)NetRxFlags.MoreData,
            ["value NETRXF_extra_info"] = (long)NetRxFlags.ExtraInfo,
            ["value NETRXF_gso_prefix"] = (long)NetRxFlags.GsoPrefix,
            ["value NETIF_RSP_DROPPED"] = NetifStatus.Dropped,
            ["value NETIF_RSP_ERROR"] = NetifStatus.Error,
            ["value NETIF_RSP_OKAY"] = NetifStatus.Okay,
            ["value NETIF_RSP_NULL"] = NetifStatus.Null,
            ["value XEN_NETIF_EXTRA_TYPE_NONE"] = (long)XenNetifExtraType.None,
            ["value XEN_NETIF_EXTRA_TYPE_GSO"] = (long)XenNetifExtraType.Gso,
            ["value XEN_NETIF_EXTRA_TYPE_MCAST_ADD"] = (long)XenNetifExtraType.McastAdd,
            ["value XEN_NETIF_EXTRA_TYPE_MCAST_DEL"] = (long)XenNetifExtraType.McastDel,
            ["value XEN_NETIF_EXTRA_TYPE_HASH"] = (long)XenNetifExtraType.Hash,
            ["value XEN_NETIF_EXTRA_FLAG_MORE"] = XenNetifExtraFlags.More,
            ["value XEN_NETIF_GSO_TYPE_NONE"] = (long)XenNetifGsoType.None,
            ["value XEN_NETIF_GSO_TYPE_TCPV4"] = (long)XenNetifGsoType.TcpV4,
            ["value XEN_NETIF_GSO_TYPE_TCPV6"] = (long)XenNetifGsoType.TcpV6,
            ["value XEN_NETIF_NR_SLOTS_MIN"] = NetifLimits.NrSlotsMin,
            ["value XEN_NETIF_MAX_TX_SIZE"] = NetifLimits.MaxTxSize,
        };
        foreach (var (kind, tag) in new[] { (RingKind.Tx, "tx"), (RingKind.Rx, "rx") })
        {
            var g = RingGeometry.For(kind, RingLayout.Xen, 0);
            e[$"sizeof union netif_{tag}_sring_entry"] = g.SlotStride;
            e[$"offsetof struct netif_{tag}_sring.req_prod"] = g.ReqProdOffset;
            e[$"offsetof struct netif_{tag}_sring.req_event"] = g.ReqEventOffset;
            e[$"offsetof struct netif_{tag}_sring.rsp_prod"] = g.RspProdOffset;
            e[$"offsetof struct netif_{tag}_sring.rsp_event"] = g.RspEventOffset;
            e[$"offsetof struct netif_{tag}_sring.ring"] = g.HeaderSize;
            for (int k = 0; k <= 4; k++)
            {
                e[$"ringsize {tag}.{k}"] = RingGeometry.For(kind, RingLayout.Xen, k).Size;
            }
        }
        return e;
    }

    [Fact]
    public void Layouts_and_constants_match_xen_netif_h()
    {
        string? gcc = FindOnPath("gcc");
        if (gcc is null)
        {
            Assert.Skip("needs gcc (apt-get install gcc libc6-dev libxen-dev) to compile against xen/io/netif.h");
        }
        if (!File.Exists(Header))
        {
            Assert.Skip($"needs {Header} (apt-get install libxen-dev)");
        }

        DirectoryInfo dir = Directory.CreateTempSubdirectory("netback-xenhdr-");
        try
        {
            string source = Path.Combine(dir.FullName, "netif_layout.c");
            string binary = Path.Combine(dir.FullName, "netif_layout");
            File.WriteAllText(source, Program);
            var (ccExit, ccOut) = Run(gcc, ["-std=gnu11", "-Wall", "-Werror", "-o", binary, source]);
            Assert.True(ccExit == 0, $"gcc failed ({ccExit}):\n{ccOut}");
            var (exit, output) = Run(binary, []);
            Assert.True(exit == 0, $"layout program failed ({exit}):\n{output}");

            var actual = Parse(output);
            var expected = Expected();
            var mismatches = new List<string>();
            foreach (var (key, c) in actual)
            {
                if (!expected.TryGetValue(key, out long cs))
                {
                    mismatches.Add($"{key}: C says {c}, no C# counterpart checked");
                }
                else if (cs != c)
                {
                    mismatches.Add($"{key}: C says {c}, C# says {cs}");
                }
            }
            mismatches.AddRange(expected.Keys.Where(k => !actual.ContainsKey(k)).Select(k => $"{k}: not printed by the C program"));
            Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
            TestContext.Current.TestOutputHelper?.WriteLine($"{actual.Count} values compared with {Header}");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static Dictionary<string, long> Parse(string output)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int space = line.LastIndexOf(' ');
            Assert.True(space > 0, $"unparseable line '{line}'");
            values.Add(line[..space], long.Parse(line[(space + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        }
        return values;
    }

    private static (int ExitCode, string Output) Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} did not finish within 60 s");
        }
        return (p.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}
