using System.Globalization;

namespace Netback.Ctl;

/// <summary>
/// <c>stats</c> when stdout is not a terminal: plain lines, a header once, then one line per queue
/// and sample with the sample's time, each figure as its exact total and its rate per second.
/// </summary>
internal static class StatsLines
{
    public static void Header(TextWriter output) =>
        output.WriteLine($"{"TIME",-8} {"VIF",-15} {"Q",2}" + string.Concat(StatsColumns.All.Select(c => $" {c.Title,12} {c.Title + "/S",12}"))
            + " DROPS-BY-REASON");

    public static void Write(TextWriter output, DateTimeOffset time, IReadOnlyList<QueueSample> now, Func<QueueSample, QueueSample?> before)
    {
        string clock = time.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        foreach (var q in now)
        {
            var prior = before(q);
            output.WriteLine($"{clock,-8} {q.Vif,-15} {q.Queue,2}"
                + string.Concat(StatsColumns.All.Select(c => $" {Format.Integer(q[c.Key]),12} {Format.Rate(q.PerSecond(prior, c.Key)),12}"))
                + " " + StatsColumns.DropReasons(q, prior));
        }
        output.Flush();
    }
}
