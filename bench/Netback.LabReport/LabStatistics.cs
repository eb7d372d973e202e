namespace Netback.LabReport;

/// <summary>
/// The figures the lab report states: medians and spreads over runs, nearest-rank percentiles of a
/// run's round trips, and Jain's fairness index over the vifs of one run. Pure functions over
/// copies: a caller's list is never reordered.
/// </summary>
internal static class LabStatistics
{
    /// <summary>The median (mean of the two middle values for an even count); NaN for no value.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        double[] s = Sorted(values);
        int mid = s.Length / 2;
        return s.Length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }

    /// <summary>
    /// Nearest-rank percentile <paramref name="p"/> (0 &lt; p ≤ 100), as bench/lib/report.py takes
    /// ping's p99: the smallest value with at least p% of the values at or below it; NaN for no value.
    /// </summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 100);
        if (values.Count == 0)
        {
            return double.NaN;
        }
        double[] s = Sorted(values);
        int rank = Math.Max(1, (int)Math.Ceiling(p / 100 * s.Length));
        return s[Math.Min(rank, s.Length) - 1];
    }

    /// <summary>
    /// Jain's fairness index (Σx)² / (n·Σx²): 1 when every vif got the same, 1/n when one got
    /// everything. NaN for no vif; 1 when all got nothing (nobody was favoured). Negative shares
    /// are not throughputs and are refused.
    /// </summary>
    public static double JainIndex(IReadOnlyList<double> shares)
    {
        if (shares.Count == 0)
        {
            return double.NaN;
        }
        double sum = 0, squares = 0;
        foreach (double x in shares)
        {
            if (x < 0 || double.IsNaN(x))
            {
                throw new ArgumentException($"a share must be a non-negative number (got {x})", nameof(shares));
            }
            sum += x;
            squares += x * x;
        }
        return squares == 0 ? 1 : sum * sum / (shares.Count * squares);
    }

    /// <summary>Median, lowest, highest and count of the runs' values (NaN values, failed runs, left out).</summary>
    public static Spread Summarize(IEnumerable<double> runs)
    {
        var ok = runs.Where(v => !double.IsNaN(v)).ToArray();
        if (ok.Length == 0)
        {
            return new Spread(double.NaN, double.NaN, double.NaN, 0);
        }
        return new Spread(Median(ok), ok.Min(), ok.Max(), ok.Length);
    }

    /// <summary>
    /// Whether two conditions' runs are told apart: their min..max ranges do not overlap. With one
    /// run each nothing is told apart (no spread is known).
    /// </summary>
    public static bool Separated(Spread a, Spread b) =>
        a.Runs >= 2 && b.Runs >= 2 && (a.Max < b.Min || b.Max < a.Min);

    private static double[] Sorted(IReadOnlyList<double> values)
    {
        var s = values.ToArray();
        Array.Sort(s);
        return s;
    }
}
