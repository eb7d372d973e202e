using System.Globalization;
using System.Text;

namespace Netback.LabReport;

/// <summary>
/// report.md: the run's commit, machine and load, then per section the roadmap's question, the
/// conditions, the charts with a table of medians and spreads, the answer (the best condition of the
/// headline figure against the first, and whether the runs tell them apart) and its uncertainty.
/// </summary>
internal static class ReportWriter
{
    public static string Write(LabResults results, string outputDirectory, string chartsFolder)
    {
        Directory.CreateDirectory(Path.Combine(outputDirectory, chartsFolder));
        var figures = results.Samples.SelectMany(SampleReducer.Reduce).ToList();
        var md = new StringBuilder();
        string Meta(string key) => results.Meta.TryGetValue(key, out var v) && v.Length > 0 ? v : "?";
        md.AppendLine(CultureInfo.InvariantCulture, $"# Netback lab report {Meta("stamp")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- commit: `{Meta("commit")}`");
        md.AppendLine(CultureInfo.InvariantCulture, $"- machine: {Meta("nproc")} CPUs ({Meta("cpu_model")}), kernel {Meta("kernel")}, NUMA nodes: {Meta("numa_nodes")}, memory {Meta("mem_total")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- load average at the start {Meta("load_start")}, at the end {Meta("load_end")}; other processes' CPU at the start: {Meta("busy_start")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- mode: {Meta("mode")}: {Meta("runs")} run(s) per figure, {Meta("seconds")} s per traffic run; lab took {Meta("duration_s")} s");
        md.AppendLine(CultureInfo.InvariantCulture, $"- command: `{Meta("command")}`");
        md.AppendLine(CultureInfo.InvariantCulture, $"- switches found in this build (1 = built): {Meta("switches")}");
        md.AppendLine();
        if (Meta("runs") == "1" || Meta("runs") == "2")
        {
            md.Append(CultureInfo.InvariantCulture, $"**Quick mode: {Meta("runs")} run(s) per figure, fewer than the 3 a conclusion needs.** ");
            md.AppendLine("Medians of fewer than 3 runs are indications; where only one run exists no spread is known and no difference is called.");
            md.AppendLine();
        }
        md.AppendLine("Each chart: a bar at the median of the runs, a dot per run, a black line from the lowest to the highest run. "
            + "Spreads are written `median [min–max, n runs]`. Two conditions are *told apart* only when their min–max ranges "
            + "(of at least 2 runs each) do not overlap.");
        md.AppendLine();
        md.AppendLine("| section | status |");
        md.AppendLine("|---|---|");
        int number = 0;
        foreach (var info in LabCatalog.Sections)
        {
            number++;
            var rec = results.Sections.GetValueOrDefault(info.Id);
            md.AppendLine(CultureInfo.InvariantCulture, $"| [{number}. {info.Title}](#{number}-{Anchor(info.Title)}) | {StatusText(rec)} |");
        }
        md.AppendLine();
        number = 0;
        foreach (var info in LabCatalog.Sections)
        {
            number++;
            Section(md, number, info, results, figures.Where(f => f.Section == info.Id).ToList(), outputDirectory, chartsFolder);
        }
        return md.ToString();
    }

    private static void Section(StringBuilder md, int number, SectionInfo info, LabResults results, List<LabFigure> figures,
        string outputDirectory, string chartsFolder)
    {
        var rec = results.Sections.GetValueOrDefault(info.Id);
        md.AppendLine(CultureInfo.InvariantCulture, $"## {number}. {info.Title}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"> {info.Seed}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"**Question.** {info.Question}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"**Status.** {StatusText(rec)}");
        md.AppendLine();
        if (rec?.Conditions is { Length: > 0 } conditions)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"**Conditions.** {conditions}");
            md.AppendLine();
        }
        if (results.Notes.TryGetValue(info.Id, out var notes) && notes.Count > 0)
        {
            foreach (string n in notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {n}");
            }
            md.AppendLine();
        }
        if (figures.Count == 0)
        {
            md.AppendLine("**Answer.** Not measured: no figure was recorded" + (rec?.Reason is { } r ? $" ({r})." : "."));
            md.AppendLine();
            return;
        }
        var conditionsOrder = figures.Select(f => f.Condition).Distinct().ToList();
        var seriesOrder = figures.Select(f => f.Series).Distinct().ToList();
        IReadOnlyList<double> Runs(string metric, string c, string s) =>
            figures.Where(f => f.Metric == metric && f.Condition == c && f.Series == s).Select(f => f.Value).ToList();
        var answers = new List<string>();
        double worstRelative = double.NaN;
        int minRuns = int.MaxValue, maxRuns = 0;
        foreach (var chart in info.Charts)
        {
            var series = seriesOrder.Where(s => conditionsOrder.Any(c => Runs(chart.Metric, c, s).Count > 0)).ToList();
            if (series.Count == 0)
            {
                continue;
            }
            var conds = conditionsOrder.Where(c => series.Any(s => Runs(chart.Metric, c, s).Count > 0)).ToList();
            string file = $"{info.Id}-{chart.Metric}.png";
            bool drawn;
            try
            {
                drawn = ChartWriter.Write(Path.Combine(outputDirectory, chartsFolder, file), chart.Title, chart, conds, series,
                    (c, s) => Runs(chart.Metric, c, s));
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or TypeInitializationException or DllNotFoundException)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"(chart {file} not drawn: {e.Message})");
                drawn = false;
            }
            md.AppendLine(CultureInfo.InvariantCulture, $"### {chart.Title} ({chart.Unit})");
            md.AppendLine();
            if (drawn)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"![{chart.Title}]({chartsFolder}/{file})");
                md.AppendLine();
            }
            md.AppendLine("| condition | " + string.Join(" | ", series.Select(s => s.Length == 0 ? "value" : s)) + " |");
            md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", series.Count)));
            foreach (string c in conds)
            {
                var cells = series.Select(s =>
                {
                    var spread = LabStatistics.Summarize(Runs(chart.Metric, c, s));
                    if (spread.Runs > 0)
                    {
                        minRuns = Math.Min(minRuns, spread.Runs);
                        maxRuns = Math.Max(maxRuns, spread.Runs);
                        if (!double.IsNaN(spread.RelativeRange) && chart == info.Charts[0])
                        {
                            worstRelative = double.IsNaN(worstRelative) ? spread.RelativeRange : Math.Max(worstRelative, spread.RelativeRange);
                        }
                    }
                    return spread.Format(chart.Digits);
                });
                md.AppendLine(CultureInfo.InvariantCulture, $"| {c} | {string.Join(" | ", cells)} |");
            }
            md.AppendLine();
            if (answers.Count == 0 || chart == info.Charts[0])
            {
                foreach (string s in series)
                {
                    answers.Add(Answer(chart, s, conds.Select(c => (c, LabStatistics.Summarize(Runs(chart.Metric, c, s)))).Where(x => x.Item2.Runs > 0).ToList()));
                }
            }
        }
        md.AppendLine("**Answer.**");
        md.AppendLine();
        foreach (string a in answers)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {a}");
        }
        md.AppendLine();
        string relative = double.IsNaN(worstRelative) ? "unknown (a single run)" : $"{worstRelative * 100:F0}% of the median";
        string runs = minRuns == maxRuns ? minRuns.ToString(CultureInfo.InvariantCulture) : $"{minRuns}–{maxRuns}";
        md.Append(CultureInfo.InvariantCulture, $"**Uncertainty.** {runs} run(s) per figure; the widest min–max range of the headline figure is {relative}.");
        md.AppendLine(maxRuns < 3 ? " Fewer than 3 runs: an indication, not a conclusion." : "");
        md.AppendLine();
    }

    /// <summary>The headline sentence for one series: the best condition against the first (the baseline), and whether the runs tell them apart.</summary>
    internal static string Answer(ChartSpec chart, string series, IReadOnlyList<(string Condition, Spread Spread)> rows)
    {
        string prefix = series.Length == 0 ? "" : $"{series}: ";
        string unit = chart.Unit.Contains(' ', StringComparison.Ordinal) ? "" : chart.Unit;
        if (rows.Count == 0)
        {
            return $"{prefix}no run gave a figure for {chart.Title}.";
        }
        var baseline = rows[0];
        if (rows.Count == 1)
        {
            return $"{prefix}only {baseline.Condition} was measured: {chart.Title} {baseline.Spread.Format(chart.Digits, unit)}.";
        }
        var best = chart.HigherIsBetter
            ? rows.MaxBy(r => double.IsNaN(r.Spread.Median) ? double.MinValue : r.Spread.Median)
            : rows.MinBy(r => double.IsNaN(r.Spread.Median) ? double.MaxValue : r.Spread.Median);
        if (best.Condition == baseline.Condition)
        {
            return $"{prefix}{chart.Title}: best with {baseline.Condition}, {baseline.Spread.Format(chart.Digits, unit)}; no other condition beat it.";
        }
        double ratio = best.Spread.Median / baseline.Spread.Median;
        bool apart = LabStatistics.Separated(best.Spread, baseline.Spread);
        return $"{prefix}{chart.Title}: best with {best.Condition}, {best.Spread.Format(chart.Digits, unit)}, against "
            + $"{baseline.Condition}'s {baseline.Spread.Format(chart.Digits, unit)} (×{Spread.Number(ratio, 2)}); "
            + (apart ? "the runs tell them apart." : "the runs do not tell them apart (ranges overlap or too few runs).");
    }

    private static string StatusText(SectionRecord? rec) => rec is null
        ? "not run"
        : rec.Status switch
        {
            "ok" => "measured" + (rec.Reason is { Length: > 0 } r ? $" ({r})" : ""),
            "partial" => "partly measured: " + (rec.Reason ?? ""),
            "not-measured" => "not measured: " + (rec.Reason ?? "switch not built"),
            "failed" => "FAILED: " + (rec.Reason ?? "see lab.log"),
            _ => rec.Status + (rec.Reason is { } x ? $": {x}" : ""),
        };

    private static string Anchor(string title)
    {
        var sb = new StringBuilder();
        foreach (char ch in title.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(ch) || ch == '-' || ch == '_')
            {
                sb.Append(ch);
            }
            else if (ch == ' ')
            {
                sb.Append('-');
            }
        }
        return sb.ToString();
    }
}
