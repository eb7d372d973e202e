using Ring.Shared.Control;

namespace Netback.Tests.Daemon.Admin;

/// <summary>Pages through <c>show</c> and <c>stats</c> as netbackctl does, over the bench's admin socket.</summary>
internal static class AdminPages
{
    /// <summary>Every node of <paramref name="vif"/>, path → value, and how many replies it took.</summary>
    public static (Dictionary<string, string> Nodes, List<string> Order, int Pages) Show(AdminBench bench, string vif)
    {
        var nodes = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        int first = 0, pages = 0;
        while (true)
        {
            var reply = bench.Ok("command=show", $"vif={vif}", $"first={first}");
            pages++;
            int count = reply.GetInt(AdminKeys.Count, 0, ControlCodec.MaxEntries);
            int total = reply.GetInt(AdminKeys.Total, 0, int.MaxValue);
            for (int i = 0; i < count; i++)
            {
                string path = reply.Get(AdminKeys.Node(i))!;
                Assert.False(nodes.ContainsKey(path), $"node {path} listed twice");
                nodes[path] = reply.Get(AdminKeys.NodeValue(i))!;
                order.Add(path);
            }
            first += count;
            if (count == 0 || first >= total)
            {
                Assert.Equal(total, nodes.Count);
                return (nodes, order, pages);
            }
        }
    }

    /// <summary>Every queue's counters from <c>stats</c> (of <paramref name="vif"/> or all): "vif/queue" → key → value.</summary>
    public static Dictionary<string, Dictionary<string, string>> Stats(AdminBench bench, string? vif = null)
    {
        var queues = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        int first = 0;
        while (true)
        {
            var reply = vif is null ? bench.Ok("command=stats", $"first={first}") : bench.Ok("command=stats", $"vif={vif}", $"first={first}");
            int count = reply.GetInt(AdminKeys.Count, 0, AdminKeys.StatsPageSize);
            int total = reply.GetInt(AdminKeys.QueueCount, 0, int.MaxValue);
            Assert.True(long.Parse(reply.Get(AdminKeys.SampledAtNs)!, System.Globalization.CultureInfo.InvariantCulture) > 0);
            for (int i = 0; i < count; i++)
            {
                string prefix = AdminKeys.ForQueue(i, "");
                var counters = reply.Entries.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal))
                    .ToDictionary(e => e.Key[prefix.Length..], e => e.Value, StringComparer.Ordinal);
                queues[$"{counters[AdminKeys.Vif]}/{counters[AdminKeys.Queue]}"] = counters;
            }
            first += count;
            if (count == 0 || first >= total)
            {
                Assert.Equal(total, queues.Count);
                return queues;
            }
        }
    }
}
