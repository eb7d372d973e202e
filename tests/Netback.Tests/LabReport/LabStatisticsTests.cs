using Netback.LabReport;

namespace Netback.Tests.LabReport;

/// <summary>The lab report's figures: medians, nearest-rank percentiles, Jain's index, spreads and when two conditions are told apart.</summary>
public sealed class LabStatisticsTests
{
    [Fact]
    public void Median_of_odd_and_even_counts_and_of_nothing()
    {
        Assert.Equal(3, LabStatistics.Median([5, 1, 3]));
        Assert.Equal(2.5, LabStatistics.Median([4, 1, 3, 2]));
        Assert.True(double.IsNaN(LabStatistics.Median([])));
    }

    [Fact]
    public void Median_leaves_the_callers_list_in_its_order()
    {
        double[] runs = [5, 1, 3];
        _ = LabStatistics.Median(runs);
        Assert.Equal([5, 1, 3], runs);
    }

    [Fact]
    public void Percentile_is_nearest_rank_as_run_sh_takes_pings_p99()
    {
        double[] hundred = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToArray();
        Assert.Equal(99, LabStatistics.Percentile(hundred, 99));
        Assert.Equal(50, LabStatistics.Percentile(hundred, 50));
        Assert.Equal(100, LabStatistics.Percentile(hundred, 100));
        // Ten replies: the 99th percentile is the worst one, not an interpolation below it.
        double[] ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 400];
        Assert.Equal(400, LabStatistics.Percentile(ten, 99));
        Assert.Equal(5, LabStatistics.Percentile(ten, 50));
        Assert.True(double.IsNaN(LabStatistics.Percentile([], 99)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabStatistics.Percentile(ten, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabStatistics.Percentile(ten, 101));
    }

    [Fact]
    public void Jain_index_is_one_for_equal_shares_and_one_over_n_for_one_taker()
    {
        Assert.Equal(1, LabStatistics.JainIndex([2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5]), 12);
        Assert.Equal(1.0 / 8, LabStatistics.JainIndex([9, 0, 0, 0, 0, 0, 0, 0]), 12);
        // (1+2+3)² / (3·(1+4+9)) = 36/42
        Assert.Equal(36.0 / 42, LabStatistics.JainIndex([1, 2, 3]), 12);
        // Scaling every share changes nothing.
        Assert.Equal(LabStatistics.JainIndex([1, 2, 3]), LabStatistics.JainIndex([10, 20, 30]), 12);
        Assert.Equal(1, LabStatistics.JainIndex([0, 0, 0]));
        Assert.True(double.IsNaN(LabStatistics.JainIndex([])));
    }

    [Fact]
    public void Jain_index_refuses_a_negative_or_missing_share()
    {
        var e = Assert.Throws<ArgumentException>(() => LabStatistics.JainIndex([1, -1]));
        Assert.Contains("non-negative", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LabStatistics.JainIndex([1, double.NaN]));
    }

    [Fact]
    public void Summarize_leaves_failed_runs_out()
    {
        var s = LabStatistics.Summarize([3, double.NaN, 1, 2]);
        Assert.Equal(new Spread(2, 1, 3, 3), s);
        Assert.Equal(1.0, s.RelativeRange, 12);
        Assert.Equal("2.00 [1.00–3.00, 3 runs]", s.Format());
        Assert.Equal(0, LabStatistics.Summarize([double.NaN]).Runs);
        Assert.Equal("n/a", LabStatistics.Summarize([]).Format());
        Assert.Equal("7.0 (1 run)", LabStatistics.Summarize([7]).Format(1));
        Assert.True(double.IsNaN(LabStatistics.Summarize([7]).RelativeRange));
    }

    [Fact]
    public void Conditions_are_told_apart_only_when_ranges_of_two_or_more_runs_do_not_overlap()
    {
        var low = LabStatistics.Summarize([1, 2, 3]);
        var high = LabStatistics.Summarize([4, 5, 6]);
        var overlapping = LabStatistics.Summarize([3, 4, 5]);
        Assert.True(LabStatistics.Separated(low, high));
        Assert.True(LabStatistics.Separated(high, low));
        Assert.False(LabStatistics.Separated(low, overlapping));
        Assert.False(LabStatistics.Separated(LabStatistics.Summarize([1]), LabStatistics.Summarize([100])));
    }
}
