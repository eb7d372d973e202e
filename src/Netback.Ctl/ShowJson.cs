using System.Globalization;
using System.Text.Json;
using Ring.Shared.Control;

namespace Netback.Ctl;

/// <summary>
/// <c>show --json</c>: one object. <c>summary</c> and each of <c>queues</c> nest their paths
/// (<c>stats/drops/tx-runt</c> is <c>stats.drops["tx-runt"]</c>), numbers as numbers; <c>backend</c>
/// and <c>frontend</c> keep xenstore's flat keys and string values (<c>frontend["queue-0/tx-ring-ref"]</c>),
/// as a frontend may write both a key and keys under it.
/// </summary>
internal static class ShowJson
{
    public static void Write(Stream stream, string vif, IReadOnlyList<KeyValuePair<string, string>> nodes)
    {
        var summary = new Tree();
        var queues = new SortedDictionary<int, Tree>();
        var backend = new List<KeyValuePair<string, string>>();
        var frontend = new List<KeyValuePair<string, string>>();
        foreach (var (path, value) in nodes)
        {
            int slash = path.IndexOf('/', StringComparison.Ordinal);
            string head = slash < 0 ? path : path[..slash];
            string rest = slash < 0 ? "" : path[(slash + 1)..];
            if (head == AdminKeys.SummaryNode)
            {
                summary.Add(rest, value);
            }
            else if (head == AdminKeys.BackendNode)
            {
                backend.Add(KeyValuePair.Create(rest, value));
            }
            else if (head == AdminKeys.FrontendNode)
            {
                frontend.Add(KeyValuePair.Create(rest, value));
            }
            else if (head.StartsWith("queue-", StringComparison.Ordinal)
                && int.TryParse(head["queue-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int q))
            {
                if (!queues.TryGetValue(q, out var tree))
                {
                    queues[q] = tree = new Tree();
                    tree.Add(AdminKeys.Queue, head["queue-".Length..]);
                }
                tree.Add(rest, value);
            }
            else
            {
                summary.Add(path, value); // a part this version does not know: kept, not lost
            }
        }
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString(AdminKeys.Vif, vif);
        writer.WritePropertyName(AdminKeys.SummaryNode);
        summary.Write(writer);
        Flat(writer, AdminKeys.BackendNode, backend);
        Flat(writer, AdminKeys.FrontendNode, frontend);
        writer.WriteStartArray(AdminKeys.Queues);
        foreach (var tree in queues.Values)
        {
            tree.Write(writer);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Flat(Utf8JsonWriter writer, string name, List<KeyValuePair<string, string>> entries)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in entries)
        {
            writer.WriteString(key, value);
        }
        writer.WriteEndObject();
    }

    /// <summary>Paths nested into objects, leaves numbers where they are integers; the last of a repeated path wins.</summary>
    private sealed class Tree
    {
        private readonly List<(string Name, Tree? Child, string? Value)> _entries = [];

        public void Add(string path, string value)
        {
            int slash = path.IndexOf('/', StringComparison.Ordinal);
            string head = slash < 0 ? path : path[..slash];
            int at = _entries.FindIndex(e => e.Name == head);
            if (slash < 0)
            {
                if (at >= 0)
                {
                    _entries[at] = (head, null, value);
                }
                else
                {
                    _entries.Add((head, null, value));
                }
                return;
            }
            if (at < 0 || _entries[at].Child is null)
            {
                var child = new Tree();
                if (at >= 0)
                {
                    _entries[at] = (head, child, null);
                }
                else
                {
                    _entries.Add((head, child, null));
                }
                at = _entries.FindIndex(e => e.Name == head);
            }
            _entries[at].Child!.Add(path[(slash + 1)..], value);
        }

        public void Write(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            foreach (var (name, child, value) in _entries)
            {
                if (child is not null)
                {
                    writer.WritePropertyName(name);
                    child.Write(writer);
                }
                else if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)
                    && n.ToString(CultureInfo.InvariantCulture) == value)
                {
                    writer.WriteNumber(name, n);
                }
                else
                {
                    writer.WriteString(name, value);
                }
            }
            writer.WriteEndObject();
        }
    }
}
