namespace Netback.LabReport;

/// <summary>
/// One run's figure as bench/lab.sh recorded it (a "sample" line of results.jsonl): the section, the
/// metric, the condition (the switch's setting), the series (the load, e.g. TCP or UDP 64 B), the run
/// number, and either one value or a run's vector (each vif's throughput, each ping's RTT).
/// </summary>
internal sealed record LabSample(string Section, string Metric, string Condition, string Series, int Run, double? Value, IReadOnlyList<double>? Values);
