using System.Globalization;
using Ring.Shared.Control;

namespace Netback.Ctl;

/// <summary>One queue's counters as <c>stats</c> read them, and when (the daemon's monotonic clock, ns).</summary>
internal sealed record QueueSample(string Vif, int Queue, long SampledAtNs, IReadOnlyDictionary<string, long> Counters)
{
    /// <summary>The pseudo-counter <see cref="Drops"/> stands for (no counter key lacks a slash after "drops").</summary>
    public const string AllDrops = "drops";

    /// <summary>Every drop of the queue, whatever the reason (each dropped frame is counted once).</summary>
    public long Drops => Counters.Where(c => c.Key.StartsWith(AdminKeys.DropsPrefix, StringComparison.Ordinal)).Sum(c => c.Value);

    public long this[string key] => key == AllDrops ? Drops : Counters.GetValueOrDefault(key);

    /// <summary>
    /// Per second from <paramref name="before"/> (the same queue, earlier) to this sample, by the
    /// daemon's clock; a counter that went down (the vif reconnected under the same name) counts from 0.
    /// Null without an earlier sample or time between them.
    /// </summary>
    public double? PerSecond(QueueSample? before, string key)
    {
        if (before is null || SampledAtNs <= before.SampledAtNs)
        {
            return null;
        }
        long now = this[key];
        long then = before[key];
        return (now >= then ? now - then : now) / ((SampledAtNs - before.SampledAtNs) / 1e9);
    }

    /// <summary>Every queue's counters (of <paramref name="vif"/>, or of all vifs), page after page.</summary>
    public static List<QueueSample> Fetch(AdminClient client, string? vif)
    {
        var samples = new List<QueueSample>();
        int first = 0;
        while (true)
        {
            var request = new ControlMessage(ControlMessageType.AdminRequest).Set(AdminKeys.Command, AdminKeys.CommandStats).Set(AdminKeys.First, first);
            if (vif is not null)
            {
                request.Set(AdminKeys.Vif, vif);
            }
            var reply = client.Request(request);
            int count;
            int total;
            long at;
            try
            {
                count = reply.GetInt(AdminKeys.Count, 0, AdminKeys.StatsPageSize);
                total = reply.GetInt(AdminKeys.QueueCount, 0, int.MaxValue);
                at = long.Parse(reply.Get(AdminKeys.SampledAtNs) ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is ControlProtocolException or FormatException or OverflowException)
            {
                throw new AdminException($"unexpected reply from netbackd: {e.Message}");
            }
            for (int i = 0; i < count; i++)
            {
                samples.Add(Parse(reply, i, at));
            }
            first += count;
            if (count == 0 || first >= total)
            {
                return samples;
            }
        }
    }

    private static QueueSample Parse(ControlMessage reply, int index, long at)
    {
        string prefix = AdminKeys.ForQueue(index, "");
        string vif = reply.Get(prefix + AdminKeys.Vif) ?? "?";
        int queue = -1;
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in reply.Entries)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            string name = key[prefix.Length..];
            if (name == AdminKeys.Vif || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            {
                continue;
            }
            if (name == AdminKeys.Queue)
            {
                queue = (int)Math.Min(n, int.MaxValue);
            }
            else
            {
                counters[name] = n;
            }
        }
        return new QueueSample(vif, queue, at, counters);
    }
}
