using System.Globalization;
using System.Text.Json;
using Ring.Shared.Control;

namespace Netback.Ctl;

/// <summary>
/// <c>stats --json</c>: one line per sample (JSON Lines), each queue with its counters' totals and
/// their rates per second since the previous sample (<c>null</c> for a queue not seen before), drops
/// under <c>drops</c> by reason.
/// </summary>
internal static class StatsJson
{
    public static void WriteLine(Stream stream, DateTimeOffset time, IReadOnlyList<QueueSample> now, Func<QueueSample, QueueSample?> before)
    {
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("time", time.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteStartArray("queues");
            foreach (var q in now)
            {
                var prior = before(q);
                writer.WriteStartObject();
                writer.WriteString(AdminKeys.Vif, q.Vif);
                writer.WriteNumber(AdminKeys.Queue, q.Queue);
                if (prior is not null && q.SampledAtNs > prior.SampledAtNs)
                {
                    writer.WriteNumber("interval-s", Math.Round((q.SampledAtNs - prior.SampledAtNs) / 1e9, 6));
                }
                writer.WriteStartObject("total");
                Counters(writer, q, (name, key) => writer.WriteNumber(name, q.Counters[key]));
                writer.WriteEndObject();
                if (prior is null)
                {
                    writer.WriteNull("per-second");
                }
                else
                {
                    writer.WriteStartObject("per-second");
                    Counters(writer, q, (name, key) => writer.WriteNumber(name, Math.Round(q.PerSecond(prior, key) ?? 0, 3)));
                    writer.WriteEndObject();
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        stream.Flush();
    }

    /// <summary>Hands each counter to <paramref name="write"/> (its JSON name, its key), the drops inside a <c>drops</c> object.</summary>
    private static void Counters(Utf8JsonWriter writer, QueueSample q, Action<string, string> write)
    {
        foreach (string key in q.Counters.Keys.Where(k => !k.StartsWith(AdminKeys.DropsPrefix, StringComparison.Ordinal)))
        {
            write(key, key);
        }
        writer.WriteStartObject(QueueSample.AllDrops);
        foreach (string key in q.Counters.Keys.Where(k => k.StartsWith(AdminKeys.DropsPrefix, StringComparison.Ordinal)))
        {
            write(key[AdminKeys.DropsPrefix.Length..], key);
        }
        writer.WriteEndObject();
    }
}
