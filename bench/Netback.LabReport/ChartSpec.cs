namespace Netback.LabReport;

/// <summary>One chart of a section: a metric by condition (bars: the median; dots: each run; a line: min–max), one bar group per series.</summary>
internal sealed record ChartSpec(string Metric, string Title, string Unit, bool HigherIsBetter, int Digits = 2);
