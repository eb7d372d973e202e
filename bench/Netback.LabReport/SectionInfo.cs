namespace Netback.LabReport;

/// <summary>
/// A lab section: its id (as bench/lab.sh names it), its title, the roadmap's question
/// (/work/shared/seeds/xen-network-future-plan.txt, "Xen network: the future plan") and its charts,
/// the first being the headline the answer is about.
/// </summary>
internal sealed record SectionInfo(string Id, string Title, string Seed, string Question, IReadOnlyList<ChartSpec> Charts);
