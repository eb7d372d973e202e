using Netback.LabReport;

namespace Netback.Tests.LabReport;

/// <summary>A run's raw vector becomes the figures the report charts; results.jsonl lines are read as bench/lab.sh writes them.</summary>
public sealed class SampleReducerTests
{
    [Fact]
    public void Per_vif_throughputs_become_jain_aggregate_and_slowest()
    {
        var s = new LabSample("fairness", "per_vif", "pool:2", "TCP", 1, null, [1, 1, 1, 1, 1, 1, 1, 0.5]);
        var f = SampleReducer.Reduce(s).ToDictionary(x => x.Metric, x => x.Value);
        Assert.Equal(7.5, f["aggregate"], 12);
        Assert.Equal(0.5, f["min_vif"], 12);
        Assert.Equal(7.5 * 7.5 / (8 * 7.25), f["jain"], 12);
    }

    [Fact]
    public void Round_trips_become_p50_and_p99()
    {
        var s = new LabSample("fairness", "rtt", "per-queue", "victim", 2, null, [30, 10, 20, 900]);
        var f = SampleReducer.Reduce(s).ToDictionary(x => x.Metric, x => x.Value);
        Assert.Equal(20, f["rtt_p50"]);
        Assert.Equal(900, f["rtt_p99"]);
        Assert.All(SampleReducer.Reduce(s), x => Assert.Equal(2, x.Run));
    }

    [Fact]
    public void A_failed_runs_missing_value_is_NaN_not_zero()
    {
        var f = Assert.Single(SampleReducer.Reduce(new LabSample("events", "gbps", "split", "TCP", 1, null, null)));
        Assert.True(double.IsNaN(f.Value));
    }

    [Fact]
    public void Results_lines_are_read_and_a_torn_line_is_skipped()
    {
        var r = new LabResults();
        r.AddLine("""{"type":"sample","section":"ring-order","metric":"gbps","condition":"order 2","series":"TCP","run":3,"value":4.5}""");
        r.AddLine("""{"type":"sample","section":"ring-order","metric":"gbps","condition":"order 2","series":"TCP","run":4,"value":null}""");
        r.AddLine("""{"type":"section","section":"ring-order","status":"failed","reason":"netbackd exited"}""");
        r.AddLine("""{"type":"note","section":"ring-order","text":"order 4 refused"}""");
        r.AddLine("""{"type":"sample","section":"ring-ord""");
        Assert.Equal(2, r.Samples.Count);
        Assert.Equal(4.5, r.Samples[0].Value);
        Assert.Null(r.Samples[1].Value);
        Assert.Equal("failed", r.Sections["ring-order"].Status);
        Assert.Equal(["order 4 refused"], r.Notes["ring-order"]);
    }

    [Fact]
    public void The_answer_calls_a_difference_only_when_the_runs_tell_it_apart()
    {
        var chart = new ChartSpec("jain", "Jain's index", "index", HigherIsBetter: true, 3);
        string apart = ReportWriter.Answer(chart, "TCP",
            [("per-queue", LabStatistics.Summarize([0.90, 0.91, 0.92])), ("pool:2", LabStatistics.Summarize([0.97, 0.98, 0.99]))]);
        Assert.Contains("best with pool:2", apart, StringComparison.Ordinal);
        Assert.Contains("the runs tell them apart", apart, StringComparison.Ordinal);
        string noise = ReportWriter.Answer(chart, "TCP",
            [("per-queue", LabStatistics.Summarize([0.90, 0.95, 0.99])), ("pool:2", LabStatistics.Summarize([0.93, 0.96, 0.98]))]);
        Assert.Contains("do not tell them apart", noise, StringComparison.Ordinal);
        var lower = new ChartSpec("rtt_p99", "RTT p99", "µs", HigherIsBetter: false, 0);
        string rtt = ReportWriter.Answer(lower, "victim",
            [("per-queue", LabStatistics.Summarize([100, 110, 120])), ("pool:1", LabStatistics.Summarize([300, 310, 320]))]);
        Assert.Contains("best with per-queue", rtt, StringComparison.Ordinal);
        Assert.Contains("no other condition beat it", rtt, StringComparison.Ordinal);
    }
}
