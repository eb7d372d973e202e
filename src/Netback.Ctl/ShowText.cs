using System.Globalization;
using Ring.Shared.Control;
using Ring.Shared.Text;

namespace Netback.Ctl;

/// <summary>
/// <c>show</c>'s text: a few lines of what was negotiated, the backend's and the frontend's nodes as
/// <c>xenstore-ls</c> prints them (under Xen's paths, <c>/local/domain/0/backend/vif/D/H</c> and
/// <c>/local/domain/D/device/vif/H</c>), then each queue: its worker, a table of its rings' indices
/// (ring.h's names) and its counters, as <c>ethtool -S</c> lists them. Every node the daemon sent
/// is printed: a summary key this version does not know goes on a line of its own.
/// </summary>
internal static class ShowText
{
    /// <summary>The summary keys, by the line that prints them ({0} is the value).</summary>
    private static readonly (string Key, string Format)[][] SummaryLines =
    [
        [("mac", "mac {0}"), ("mtu", "mtu {0}"), ("ip", "ip {0}"), ("bridge", "bridge {0}"), ("rate", "rate {0}"), ("anti-spoofing", "anti-spoofing {0}")],
        [("queues", "{0} queue(s)"), ("ring-page-order", "ring-page-order {0}"), ("tx-ring-slots", "({0} TX"), ("rx-ring-slots", "/ {0} RX slots)"),
            ("ring-layout", "ring-layout {0}"), ("grant-pages", "grant-pages {0}")],
        [("event-channels", "event-channels {0}"), ("threads", "threads {0}"), ("tx-copy", "tx-copy {0}"),
            ("offloads-tx", "offloads tx {0}"), ("offloads-rx", "/ rx {0}")],
    ];

    private static readonly string[] RingColumns = ["req_prod", "req_cons", "rsp_prod", "rsp_prod_pvt", "req_event", "rsp_event"];

    public static void Write(TextWriter output, string vif, IReadOnlyList<KeyValuePair<string, string>> nodes)
    {
        var summary = Under(nodes, AdminKeys.SummaryNode + "/");
        string S(string key) => PrintableText.Escape(summary.GetValueOrDefault(key, "?"));
        output.WriteLine($"{PrintableText.Escape(vif)}: domid {S("domid")}, handle {S("handle")}, {S("state")}");
        var printed = new HashSet<string>(StringComparer.Ordinal) { "name", "domid", "handle", "state" };
        foreach (var line in SummaryLines)
        {
            var parts = line.Where(p => summary.ContainsKey(p.Key)).Select(p => string.Format(CultureInfo.InvariantCulture, p.Format, S(p.Key)));
            output.WriteLine("  " + string.Join(' ', parts));
            printed.UnionWith(line.Select(p => p.Key));
        }
        foreach (var (key, value) in summary.Where(e => !printed.Contains(e.Key)))
        {
            output.WriteLine($"  {PrintableText.Escape(key)} {PrintableText.Escape(value)}");
        }

        output.WriteLine();
        Tree(nodes, AdminKeys.BackendNode + "/").Write(output, $"/local/domain/0/backend/vif/{S("domid")}/{S("handle")}");
        Tree(nodes, AdminKeys.FrontendNode + "/").Write(output, $"/local/domain/{S("domid")}/device/vif/{S("handle")}");

        for (int q = 0; ; q++)
        {
            var queue = Under(nodes, $"queue-{q.ToString(CultureInfo.InvariantCulture)}/");
            if (queue.Count == 0)
            {
                break;
            }
            output.WriteLine();
            Queue(output, q, queue);
        }
    }

    private static void Queue(TextWriter output, int index, Dictionary<string, string> queue)
    {
        string Q(string key) => PrintableText.Escape(queue.GetValueOrDefault(key, "?"));
        output.WriteLine($"queue {index}: worker {Q("worker/name")}, tid {Q("worker/tid")}, last ran on CPU {Q("worker/cpu")}");
        var printed = new HashSet<string>(StringComparer.Ordinal) { "worker/name", "worker/tid", "worker/cpu" };
        if (queue.ContainsKey("tx/req_prod"))
        {
            output.WriteLine("  ring " + string.Concat(RingColumns.Select(c => $" {c,12}")));
            foreach (var (ring, waiting) in new[] { ("tx", "unconsumed"), ("rx", "posted") })
            {
                output.WriteLine($"  {ring,-4} " + string.Concat(RingColumns.Select(c => $" {Q($"{ring}/{c}"),12}"))
                    + $"   {Q($"{ring}/{waiting}")} {waiting}");
                printed.UnionWith(RingColumns.Select(c => $"{ring}/{c}"));
                printed.Add($"{ring}/{waiting}");
            }
        }
        var stats = queue.Where(e => e.Key.StartsWith("stats/", StringComparison.Ordinal)).ToList();
        for (int i = 0; i < stats.Count; i += 2)
        {
            string Cell(KeyValuePair<string, string> e) => $"{PrintableText.Escape(e.Key["stats/".Length..]) + ":",-34}{PrintableText.Escape(e.Value),6}";
            output.WriteLine("  " + Cell(stats[i]) + (i + 1 < stats.Count ? "   " + Cell(stats[i + 1]) : ""));
        }
        printed.UnionWith(stats.Select(e => e.Key));
        foreach (var (key, value) in queue.Where(e => !printed.Contains(e.Key)))
        {
            output.WriteLine($"  {PrintableText.Escape(key)}: {PrintableText.Escape(value)}");
        }
    }

    private static NodeTree Tree(IReadOnlyList<KeyValuePair<string, string>> nodes, string prefix)
    {
        var tree = new NodeTree();
        foreach (var (path, value) in nodes.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            tree.Add(path[prefix.Length..], value);
        }
        return tree;
    }

    /// <summary>The nodes under <paramref name="prefix"/>, the prefix removed, in order (the last of a repeated path wins).</summary>
    private static Dictionary<string, string> Under(IReadOnlyList<KeyValuePair<string, string>> nodes, string prefix)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, value) in nodes)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                d[path[prefix.Length..]] = value;
            }
        }
        return d;
    }
}
