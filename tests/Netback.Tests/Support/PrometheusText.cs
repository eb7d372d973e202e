using System.Globalization;
using System.Text;

namespace Netback.Tests.Support;

/// <summary>
/// A strict reader of Prometheus' text exposition format 0.0.4: <c># HELP</c> and <c># TYPE</c> lines,
/// then samples <c>name{label="value",…} number</c>. Every sample must follow a TYPE line of its
/// metric, names and label names must be legal, label values are unescaped (<c>\\</c>, <c>\"</c>,
/// <c>\n</c>) and written back in one canonical form, labels sorted.
/// </summary>
internal static class PrometheusText
{
    /// <summary>Series (name and canonical labels) → value.</summary>
    public static Dictionary<string, double> Parse(string text)
    {
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        var typed = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                string[] words = line.Split(' ');
                Assert.Equal(4, words.Length);
                Assert.True(IsName(words[2]), $"bad metric name in '{line}'");
                Assert.Contains(words[3], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                typed.Add(words[2]);
                continue;
            }
            if (line.StartsWith('#'))
            {
                Assert.StartsWith("# HELP ", line, StringComparison.Ordinal);
                continue;
            }
            int brace = line.IndexOf('{', StringComparison.Ordinal);
            int space = line.LastIndexOf(' ');
            string name = brace >= 0 ? line[..brace] : line[..space];
            Assert.True(IsName(name), $"bad metric name in '{line}'");
            Assert.True(typed.Contains(name), $"no TYPE line before '{line}'");
            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
            int end = brace >= 0 ? ReadLabels(line, brace + 1, labels) : name.Length;
            Assert.Equal(' ', line[end]);
            double value = double.Parse(line[(end + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
            string key = name + (labels.Count == 0 ? "" : "{" + string.Join(',', labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "}");
            Assert.True(series.TryAdd(key, value), $"series {key} twice");
        }
        return series;
    }

    /// <summary>Reads <c>a="x",b="y"}</c> from <paramref name="at"/>; returns the index after the '}'.</summary>
    private static int ReadLabels(string line, int at, SortedDictionary<string, string> labels)
    {
        while (line[at] != '}')
        {
            int eq = line.IndexOf('=', at);
            string label = line[at..eq];
            Assert.True(IsName(label) && !label.Contains(':', StringComparison.Ordinal), $"bad label name '{label}' in '{line}'");
            Assert.Equal('"', line[eq + 1]);
            var value = new StringBuilder();
            int i = eq + 2;
            for (; line[i] != '"'; i++)
            {
                if (line[i] == '\\')
                {
                    i++;
                    value.Append(line[i] switch { 'n' => '\n', '\\' => '\\', '"' => '"', var c => throw new FormatException($"bad escape \\{c} in '{line}'") });
                }
                else
                {
                    value.Append(line[i]);
                }
            }
            labels.Add(label, value.ToString());
            at = line[i + 1] == ',' ? i + 2 : i + 1;
        }
        return at + 1;
    }

    private static bool IsName(string s) =>
        s.Length > 0 && !char.IsAsciiDigit(s[0]) && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');
}
