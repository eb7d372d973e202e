using System.Buffers.Binary;
using System.Globalization;
using Netback.Tests.Support;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Admin;

/// <summary>
/// netbackctl's <c>show</c> over the admin socket of the in-process backend: every key each side
/// wrote, the negotiated modes, ring indices that agree with the traffic sent and with the shared
/// page itself, the worker's tid and CPU, hostile text escaped and bounded, and paging.
/// </summary>
public sealed class ShowCommandTests
{
    private const int TxFrames = 5;
    private const int RxBuffers = 8;
    private const int RxFrames = 3;

    [Fact]
    public async Task Show_lists_every_key_each_side_wrote_and_ring_indices_that_match_the_traffic()
    {
        await using var bench = AdminBench.Start();
        ControlMessage? connect = null;
        using var f = HostileFrontend.Connect(bench.Backend.SocketPath, null, m =>
        {
            m.Set("x-note", "evil\u001b[31m\nline"); // a key the backend does not know: kept, shown escaped
            connect = m;
        });
        var host = bench.Backend.Host(f.VifName);
        for (int i = 0; i < TxFrames; i++)
        {
            Assert.Equal(NetifStatus.Okay, f.SendFrame(Frame(120, (byte)i), (ushort)i).Status);
            Assert.Equal(120, ReceiveFromHost(host).Length);
        }
        for (int i = 0; i < RxBuffers; i++)
        {
            f.PostRx((ushort)i, HostileFrontend.DataGref(1 + i));
        }
        for (int i = 0; i < RxFrames; i++)
        {
            host.Send(Frame(90, (byte)(50 + i)));
        }
        Assert.True(Eventually(() => f.Rx.UnconsumedResponses == RxFrames), $"{f.Rx.UnconsumedResponses} RX responses");

        // The worker publishes, then arms req_event before it sleeps: look until it is idle.
        Dictionary<string, string> nodes = [];
        Assert.True(Eventually(() =>
        {
            nodes = AdminPages.Show(bench, f.VifName).Nodes;
            return nodes.GetValueOrDefault("queue-0/tx/req_event") == (TxFrames + 1).ToString(CultureInfo.InvariantCulture);
        }), $"TX req_event never armed at req_cons + 1: {nodes.GetValueOrDefault("queue-0/tx/req_event")}");

        // The backend's node: Hello, then Connected over it, then the live state.
        foreach (var (key, value) in f.Hello.Entries.Where(e => f.Connected!.Get(e.Key) is null && e.Key != XenbusKeys.State))
        {
            Assert.Equal(value, nodes[$"backend/{key}"]);
        }
        foreach (var (key, value) in f.Connected!.Entries)
        {
            Assert.Equal(value, nodes[$"backend/{key}"]);
        }
        Assert.Equal("4", nodes["backend/state"]);
        Assert.Equal("/local/domain/1/device/vif/0", nodes["backend/frontend"]);

        // The frontend's node: its Connect, key for key, hostile text escaped.
        foreach (var (key, value) in connect!.Entries.Where(e => e.Key != "x-note"))
        {
            Assert.Equal(value, nodes[$"frontend/{key}"]);
        }
        Assert.Equal("evil\\x1b[31m\\nline", nodes["frontend/x-note"]);
        Assert.Equal(connect.Entries.Count, nodes.Keys.Count(k => k.StartsWith("frontend/", StringComparison.Ordinal)));

        // What was negotiated.
        Assert.Equal(f.VifName, nodes["summary/name"]);
        Assert.Equal("connected", nodes["summary/state"]);
        Assert.Equal(f.Connected.Get(XenbusKeys.Mac), nodes["summary/mac"]);
        Assert.Equal("1", nodes["summary/queues"]);
        Assert.Equal("0", nodes["summary/ring-page-order"]);
        Assert.Equal("256", nodes["summary/tx-ring-slots"]);
        Assert.Equal("xen", nodes["summary/ring-layout"]);
        Assert.Equal("split", nodes["summary/event-channels"]);
        Assert.Equal("per-queue", nodes["summary/threads"]);
        Assert.Equal("direct", nodes["summary/tx-copy"]);
        Assert.Equal("csum tso4 tso6", nodes["summary/offloads-tx"]);
        Assert.Equal("none", nodes["summary/offloads-rx"]); // the hand-built Connect asks for no RX offload
        Assert.Equal("none", nodes["summary/rate"]);

        // TX: five one-slot requests, all consumed and answered; RX: eight buffers posted, three used.
        Assert.Equal("5", nodes["queue-0/tx/req_prod"]);
        Assert.Equal("5", nodes["queue-0/tx/req_cons"]);
        Assert.Equal("5", nodes["queue-0/tx/rsp_prod"]);
        Assert.Equal("5", nodes["queue-0/tx/rsp_prod_pvt"]);
        Assert.Equal("0", nodes["queue-0/tx/unconsumed"]);
        Assert.Equal("8", nodes["queue-0/rx/req_prod"]);
        Assert.Equal("3", nodes["queue-0/rx/req_cons"]);
        Assert.Equal("3", nodes["queue-0/rx/rsp_prod"]);
        Assert.Equal("3", nodes["queue-0/rx/rsp_prod_pvt"]);
        Assert.Equal("5", nodes["queue-0/rx/posted"]);
        // The shared indices are the page's own (the frontend's view of the same bytes; xen layout: 0, 4, 8, 12).
        foreach (var (ring, gref) in new[] { ("tx", HostileFrontend.TxRingRef), ("rx", HostileFrontend.RxRingRef) })
        {
            var page = f.Page(gref);
            Assert.Equal(Word(page, 0), nodes[$"queue-0/{ring}/req_prod"]);
            Assert.Equal(Word(page, 4), nodes[$"queue-0/{ring}/req_event"]);
            Assert.Equal(Word(page, 8), nodes[$"queue-0/{ring}/rsp_prod"]);
            Assert.Equal(Word(page, 12), nodes[$"queue-0/{ring}/rsp_event"]);
        }

        // The worker: a live thread of this process named after the queue, and the CPU it last ran on.
        int tid = int.Parse(nodes["queue-0/worker/tid"], CultureInfo.InvariantCulture);
        Assert.Equal($"{f.VifName}-q0", nodes["queue-0/worker/name"]);
        Assert.Equal($"{f.VifName}-q0", File.ReadAllText($"/proc/self/task/{tid}/comm").TrimEnd('\n'));
        int cpu = int.Parse(nodes["queue-0/worker/cpu"], CultureInfo.InvariantCulture);
        Assert.InRange(cpu, 0, Environment.ProcessorCount - 1);

        // Its counters.
        Assert.Equal("5", nodes["queue-0/stats/tx-packets"]);
        Assert.Equal("600", nodes["queue-0/stats/tx-bytes"]);
        Assert.Equal("3", nodes["queue-0/stats/rx-packets"]);
        Assert.Equal("270", nodes["queue-0/stats/rx-bytes"]);
        Assert.All(nodes.Where(n => n.Key.StartsWith("queue-0/stats/drops/", StringComparison.Ordinal)), n => Assert.Equal("0", n.Value));
    }

    [Fact]
    public async Task Show_names_tx_copy_map_and_counts_one_mapping_per_slot()
    {
        await using var bench = AdminBench.Start(o => o.DefaultVifSpec = "mtu=1500,tx-copy=map");
        using var f = HostileFrontend.Connect(bench.Backend.SocketPath);
        var host = bench.Backend.Host(f.VifName);
        for (int i = 0; i < TxFrames; i++)
        {
            Assert.Equal(NetifStatus.Okay, f.SendFrame(Frame(120, (byte)i), (ushort)i).Status);
            Assert.Equal(120, ReceiveFromHost(host).Length);
        }
        Dictionary<string, string> nodes = AdminPages.Show(bench, f.VifName).Nodes;
        Assert.Equal("map", nodes["summary/tx-copy"]);
        Assert.Equal(TxFrames.ToString(CultureInfo.InvariantCulture), nodes["queue-0/stats/tx-maps"]);
        int unmaps = int.Parse(nodes["queue-0/stats/tx-unmaps"], CultureInfo.InvariantCulture);
        Assert.InRange(unmaps, 1, TxFrames); // one-slot frames each sent alone: one round, one page each
    }

    [Fact]
    public async Task Show_pages_a_frontend_that_filled_its_connect_and_bounds_what_escaping_grows()
    {
        await using var bench = AdminBench.Start();
        string controls = new('\u0007', 1000); // 1000 bytes as sent, 4000 once escaped (\x07): more than one value holds
        using var f = HostileFrontend.Connect(bench.Backend.SocketPath, null, m =>
        {
            m.Set("x-bell", controls);
            for (int i = 0; i < 250; i++)
            {
                m.Set($"x-pad-{i:d3}", new string((char)('a' + i % 26), 30));
            }
        });

        var (nodes, order, pages) = AdminPages.Show(bench, f.VifName);

        Assert.True(pages > 1, $"{nodes.Count} nodes in {pages} page(s)");
        for (int i = 0; i < 250; i++)
        {
            Assert.Equal(new string((char)('a' + i % 26), 30), nodes[$"frontend/x-pad-{i:d3}"]);
        }
        string bell = nodes["frontend/x-bell"];
        Assert.StartsWith("\\x07\\x07", bell, StringComparison.Ordinal);
        Assert.EndsWith("…", bell, StringComparison.Ordinal);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(bell) <= ControlCodec.MaxValueBytes, $"{bell.Length} characters");
        // The frontend's keys in the order it wrote them, after the backend's.
        var frontend = order.Where(p => p.StartsWith("frontend/x-pad-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(frontend.Order(StringComparer.Ordinal), frontend);
        Assert.True(order.IndexOf("backend/state") < order.IndexOf("frontend/x-bell"));
    }

    [Fact]
    public async Task Show_names_the_operators_settings_and_the_rate_in_force()
    {
        await using var bench = AdminBench.Start();
        bench.Ok("command=vif-add", "domid=7", "uid=0", "spec=mac=00:16:3e:00:07:01,mtu=1400,ip=10.9.0.7,rate=10Mb/s");
        using var f = HostileFrontend.Connect(bench.Backend.SocketPath, null, m => m.Set(XenbusKeys.DomId, 7));
        Assert.Equal("vif7.0", f.VifName);

        var nodes = AdminPages.Show(bench, f.VifName).Nodes;

        Assert.Equal("00:16:3e:00:07:01", nodes["summary/mac"]);
        Assert.Equal("1400", nodes["summary/mtu"]);
        Assert.Equal("10.9.0.7", nodes["summary/ip"]);
        Assert.Equal("10.9.0.7", nodes["backend/ip"]);
        Assert.Equal("none", nodes["summary/bridge"]);
        Assert.False(nodes.ContainsKey("backend/bridge"));
        string rate = bench.Backend.Registry.Snapshot().Single().Rate!.ToString()!;
        Assert.StartsWith("10Mb/s", rate, StringComparison.Ordinal);
        Assert.Equal(rate, nodes["summary/rate"]);
        Assert.Equal(rate, nodes["backend/rate"]);
        Assert.Equal("7", nodes["backend/frontend-id"]);
        Assert.Equal("/local/domain/7/device/vif/0", nodes["backend/frontend"]);

        // set rate= takes effect at once, and show says the rate in force.
        bench.Ok("command=set", "vif=vif7.0", "rate=1Mb/s@20ms");
        nodes = AdminPages.Show(bench, f.VifName).Nodes;
        Assert.Equal("1Mb/s@20ms", nodes["summary/rate"]);
        Assert.Equal("1Mb/s@20ms", nodes["backend/rate"]);
    }

    [Fact]
    public async Task Show_refuses_a_vif_that_is_not_connected_saying_which_kind()
    {
        await using var bench = AdminBench.Start();
        Assert.Contains("no vif named 'vif9.0' is connected", bench.Refused("command=show", "vif=vif9.0"), StringComparison.Ordinal);
        bench.Ok("command=vif-add", "domid=7", "uid=0");
        Assert.Contains("vif7.0 is declared but not connected", bench.Refused("command=show", "vif=vif7.0"), StringComparison.Ordinal);
        Assert.Contains("show needs vif=", bench.Refused("command=show"), StringComparison.Ordinal);
    }

    private static string Word(Span<byte> page, int offset) =>
        BinaryPrimitives.ReadUInt32LittleEndian(page[offset..]).ToString(CultureInfo.InvariantCulture);
}
