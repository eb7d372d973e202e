using System.Globalization;
using System.Text.Json;

namespace Netback.LabReport;

/// <summary>
/// bench/lab.sh's raw results: <c>meta.json</c> (commit, machine, load, mode) and <c>results.jsonl</c>,
/// one JSON object a line: <c>{"type":"sample",…}</c> (<see cref="LabSample"/>), <c>{"type":"section",…}</c>
/// (<see cref="SectionRecord"/>, the last one of a section wins) and <c>{"type":"note","section",…,"text"}</c>.
/// </summary>
internal sealed class LabResults
{
    public Dictionary<string, string> Meta { get; } = new(StringComparer.Ordinal);
    public List<LabSample> Samples { get; } = [];
    public Dictionary<string, SectionRecord> Sections { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<string>> Notes { get; } = new(StringComparer.Ordinal);

    public static LabResults Load(string directory)
    {
        var r = new LabResults();
        string meta = Path.Combine(directory, "meta.json");
        if (File.Exists(meta))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(meta));
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                r.Meta[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText();
            }
        }
        string results = Path.Combine(directory, "results.jsonl");
        if (File.Exists(results))
        {
            foreach (string line in File.ReadLines(results))
            {
                r.AddLine(line);
            }
        }
        return r;
    }

    /// <summary>Adds one line of results.jsonl; a line that is not JSON is skipped (a run killed mid-write).</summary>
    public void AddLine(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return;
        }
        using (doc)
        {
            var e = doc.RootElement;
            string section = Str(e, "section") ?? "";
            switch (Str(e, "type"))
            {
                case "sample":
                    Samples.Add(new LabSample(section, Str(e, "metric") ?? "", Str(e, "condition") ?? "", Str(e, "series") ?? "",
                        e.TryGetProperty("run", out var run) && run.TryGetInt32(out int n) ? n : 0,
                        Number(e, "value"), Numbers(e, "values")));
                    break;
                case "section":
                    // A later line (the lab's verdict on failure) keeps the conditions an earlier one stated.
                    Sections[section] = new SectionRecord(section, Str(e, "status") ?? "ok", Str(e, "reason"),
                        Str(e, "conditions") ?? Sections.GetValueOrDefault(section)?.Conditions);
                    break;
                case "note":
                    if (!Notes.TryGetValue(section, out var list))
                    {
                        Notes[section] = list = [];
                    }
                    list.Add(Str(e, "text") ?? "");
                    break;
            }
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? ToDouble(v) : null;

    private static List<double>? Numbers(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        var list = new List<double>();
        foreach (var x in v.EnumerateArray())
        {
            if (ToDouble(x) is double d)
            {
                list.Add(d);
            }
        }
        return list;
    }

    /// <summary>A number, or a numeric string; null (a failed run's figure) otherwise.</summary>
    private static double? ToDouble(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => null,
    };
}
