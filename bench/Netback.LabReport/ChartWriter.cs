using ScottPlot;

namespace Netback.LabReport;

/// <summary>
/// One PNG per chart: a bar per (condition, series) at the median, each run as a dot, and a
/// vertical line from the lowest to the highest run, so the spread is seen beside the median.
/// </summary>
internal static class ChartWriter
{
    private static readonly Color[] Palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
    ];

    /// <summary>Writes <paramref name="path"/>; false (nothing written) when no figure has a value.</summary>
    public static bool Write(string path, string title, ChartSpec chart, IReadOnlyList<string> conditions, IReadOnlyList<string> series,
        Func<string, string, IReadOnlyList<double>> runs)
    {
        var plot = new Plot();
        int groups = Math.Max(1, series.Count);
        double width = 0.8 / groups;
        bool any = false;
        for (int s = 0; s < series.Count; s++)
        {
            var bars = new List<Bar>();
            var color = Palette[s % Palette.Length];
            for (int c = 0; c < conditions.Count; c++)
            {
                var values = runs(conditions[c], series[s]).Where(v => !double.IsNaN(v) && !double.IsInfinity(v)).ToArray();
                if (values.Length == 0)
                {
                    continue;
                }
                any = true;
                double x = c + (s - (groups - 1) / 2.0) * width;
                var spread = LabStatistics.Summarize(values);
                bars.Add(new Bar { Position = x, Value = spread.Median, Size = width * 0.9, FillColor = color.WithAlpha(0.75) });
                if (values.Length > 1)
                {
                    var line = plot.Add.Line(x, spread.Min, x, spread.Max);
                    line.LineColor = Colors.Black;
                    line.LineWidth = 1.5f;
                }
                var dots = plot.Add.Markers(Enumerable.Repeat(x, values.Length).ToArray(), values, MarkerShape.FilledCircle, 5, Colors.Black);
                dots.LegendText = "";
            }
            if (bars.Count > 0)
            {
                var bp = plot.Add.Bars(bars);
                bp.LegendText = series[s];
            }
        }
        if (!any)
        {
            return false;
        }
        plot.Title(title, size: 13);
        plot.YLabel($"{chart.Unit} ({(chart.HigherIsBetter ? "higher" : "lower")} is better)");
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int c = 0; c < conditions.Count; c++)
        {
            ticks.AddMajor(c, conditions[c]);
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Margins(bottom: 0);
        plot.Axes.SetLimitsX(-0.5, conditions.Count - 0.5);
        if (series.Count > 1 || (series.Count == 1 && series[0].Length > 0))
        {
            plot.ShowLegend(Alignment.UpperRight);
        }
        plot.SavePng(path, Math.Max(640, 120 * conditions.Count * Math.Max(1, series.Count / 2)), 420);
        return true;
    }
}
