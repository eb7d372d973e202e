// lab-report DIR [--charts NAME] [--report FILE]: reads bench/lab.sh's DIR/meta.json and
// DIR/results.jsonl, writes the charts into DIR/NAME (default charts) and the report to FILE
// (default DIR/report.md). Exit status 2 on a usage error.
using Netback.LabReport;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: lab-report DIR [--charts NAME] [--report FILE]");
    return args.Length == 0 ? 2 : 0;
}
string dir = args[0];
string charts = "charts";
string? report = null;
for (int i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--charts" when i + 1 < args.Length: charts = args[++i]; break;
        case "--report" when i + 1 < args.Length: report = args[++i]; break;
        default:
            Console.Error.WriteLine($"lab-report: unknown argument {args[i]}");
            return 2;
    }
}
if (!Directory.Exists(dir))
{
    Console.Error.WriteLine($"lab-report: no directory {dir}");
    return 2;
}
var results = LabResults.Load(dir);
string reportPath = report ?? Path.Combine(dir, "report.md");
string outDir = Path.GetDirectoryName(Path.GetFullPath(reportPath))!;
string md = ReportWriter.Write(results, outDir, charts);
File.WriteAllText(reportPath, md);
Console.WriteLine($"lab-report: wrote {reportPath} ({results.Samples.Count} samples)");
return 0;
