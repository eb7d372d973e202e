using System.CommandLine;
using System.Text.Json;
using Ring.Shared.Control;

namespace Netback.Ctl;

/// <summary><c>--json</c>: replies written as JSON objects on stdout, one key per reply key (numbers as numbers).</summary>
internal static class JsonOutput
{
    /// <summary>The <c>--json</c> option every declaration command takes.</summary>
    public static Option<bool> Option() => new("--json") { Description = "Print the result as JSON." };

    /// <summary>Writes <paramref name="objects"/> (a list when <paramref name="asList"/>) and a newline.</summary>
    public static void Write(IEnumerable<IReadOnlyList<KeyValuePair<string, string>>> objects, bool asList)
    {
        using (var stdout = Console.OpenStandardOutput())
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            if (asList)
            {
                writer.WriteStartArray();
            }
            foreach (var o in objects)
            {
                writer.WriteStartObject();
                foreach (var (key, value) in o)
                {
                    if (long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n))
                    {
                        writer.WriteNumber(key, n);
                    }
                    else
                    {
                        writer.WriteString(key, value);
                    }
                }
                writer.WriteEndObject();
                if (!asList)
                {
                    break;
                }
            }
            if (asList)
            {
                writer.WriteEndArray();
            }
        }
        Console.Out.WriteLine();
    }

    /// <summary>The entries of <paramref name="reply"/> under <paramref name="prefix"/>, with the prefix removed.</summary>
    public static List<KeyValuePair<string, string>> Under(ControlMessage reply, string prefix) =>
        [.. reply.Entries.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(e => KeyValuePair.Create(e.Key[prefix.Length..], e.Value))];
}
