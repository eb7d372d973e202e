namespace Netback.LabReport;

/// <summary>
/// Turns each run's raw sample into the scalar figures the report states: a run's vifs' throughputs
/// ("per_vif") into Jain's index ("jain") and their sum ("aggregate"); a run's round trips ("rtt", µs)
/// into its p50 and p99 ("rtt_p50", "rtt_p99"); any other metric is its value.
/// </summary>
internal static class SampleReducer
{
    public static IEnumerable<LabFigure> Reduce(LabSample s)
    {
        if (s.Values is { } v)
        {
            switch (s.Metric)
            {
                case "per_vif":
                    yield return Figure(s, "jain", v.Count == 0 ? double.NaN : LabStatistics.JainIndex(v));
                    yield return Figure(s, "aggregate", v.Count == 0 ? double.NaN : v.Sum());
                    yield return Figure(s, "min_vif", v.Count == 0 ? double.NaN : v.Min());
                    yield break;
                case "rtt":
                    yield return Figure(s, "rtt_p50", LabStatistics.Percentile(v, 50));
                    yield return Figure(s, "rtt_p99", LabStatistics.Percentile(v, 99));
                    yield break;
                default:
                    yield return Figure(s, s.Metric, v.Count == 0 ? double.NaN : LabStatistics.Median(v));
                    yield break;
            }
        }
        yield return Figure(s, s.Metric, s.Value ?? double.NaN);
    }

    private static LabFigure Figure(LabSample s, string metric, double value) =>
        new(s.Section, metric, s.Condition, s.Series, s.Run, value);
}
