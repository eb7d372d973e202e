namespace Netback.LabReport;

/// <summary>
/// What bench/lab.sh said about a section (a "section" line): its status (ok, partial, failed,
/// not-measured), why (the error or the missing switch), and the conditions it ran under.
/// </summary>
internal sealed record SectionRecord(string Section, string Status, string? Reason, string? Conditions);
