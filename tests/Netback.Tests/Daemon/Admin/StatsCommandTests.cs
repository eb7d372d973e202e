using Netback.Tests.Support;
using Netfront.Client;
using Ring.Shared.Control;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Admin;

/// <summary>netbackctl's <c>stats</c> over the admin socket: per-queue counters of one vif or all, paged, any value fitting a record.</summary>
public sealed class StatsCommandTests
{
    [Fact]
    public async Task Stats_counts_the_traffic_of_each_queue_of_one_vif_or_all()
    {
        await using var bench = AdminBench.Start();
        using var a = Healthy(bench.Backend);
        using var b = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = bench.Backend.SocketPath, HandshakeTimeout = Patience, Queues = 4 });
        for (int i = 0; i < 3; i++)
        {
            AssertPassesFramesBothWays(bench.Backend, a, (byte)(10 * i));
        }

        var all = AdminPages.Stats(bench);
        Assert.Equal(5, all.Count); // 1 + 4 queues: two pages of four
        Assert.Equal("3", all[$"{a.VifName}/0"][AdminKeys.TxPackets]);
        Assert.Equal("360", all[$"{a.VifName}/0"][AdminKeys.TxBytes]);
        Assert.Equal("3", all[$"{a.VifName}/0"][AdminKeys.RxPackets]);
        Assert.Equal("270", all[$"{a.VifName}/0"][AdminKeys.RxBytes]);
        Assert.NotEqual("0", all[$"{a.VifName}/0"][AdminKeys.NotificationsReceived]);
        Assert.NotEqual("0", all[$"{a.VifName}/0"][AdminKeys.Wakeups]);
        for (int q = 0; q < 4; q++)
        {
            Assert.Equal("0", all[$"{b.VifName}/{q}"][AdminKeys.TxPackets]);
        }
        Assert.All(all.Values.SelectMany(c => c.Where(e => e.Key.StartsWith(AdminKeys.DropsPrefix, StringComparison.Ordinal))),
            e => Assert.Equal("0", e.Value));

        var one = AdminPages.Stats(bench, b.VifName);
        Assert.Equal(4, one.Count);
        Assert.All(one.Keys, k => Assert.StartsWith(b.VifName + "/", k, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_page_of_four_queues_fits_a_record_whatever_the_counters_hold()
    {
        await using var bench = AdminBench.Start();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = bench.Backend.SocketPath, HandshakeTimeout = Patience, Queues = 4 });
        foreach (var q in bench.Backend.Registry.Snapshot().Single().Queues)
        {
            // Only the test writes these now (the workers idle): the longest numbers there are.
            var c = q.Counters;
            c.TxPackets = c.TxBytes = c.RxPackets = c.RxBytes = c.NotificationsSent = c.NotificationsReceived = c.Wakeups
                = c.SpuriousKicks = c.WorkerAllocatedBytes = c.RxOffloadDrops = c.RxStallDrops = c.RxErrors = long.MaxValue;
            Array.Fill(c.TxDrops, long.MaxValue);
            Array.Fill(c.SpoofDrops, long.MaxValue);
        }
        var queues = AdminPages.Stats(bench, device.VifName);
        Assert.Equal(4, queues.Count);
        Assert.Equal(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), queues[$"{device.VifName}/3"]["drops/spoofed-malformed"]);
    }

    [Fact]
    public async Task Stats_of_a_vif_that_is_not_connected_is_refused()
    {
        await using var bench = AdminBench.Start();
        Assert.Contains("no vif named 'vif9.0' is connected", bench.Refused("command=stats", "vif=vif9.0"), StringComparison.Ordinal);
        var none = bench.Ok("command=stats");
        Assert.Equal("0", none.Get(AdminKeys.QueueCount));
    }
}
