namespace Netback.LabReport;

/// <summary>One run's scalar figure after reduction (<see cref="SampleReducer"/>).</summary>
internal sealed record LabFigure(string Section, string Metric, string Condition, string Series, int Run, double Value);
