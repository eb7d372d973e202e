using System.Diagnostics;

namespace Netback.Tests.Support;

/// <summary>
/// The netbackctl apphost, run as an operator runs it: this assembly is in
/// artifacts/bin/Netback.Tests/&lt;config&gt;/, netbackctl in artifacts/bin/Netback.Ctl/&lt;config&gt;/
/// (the project reference builds it first). Its stdout is a pipe here, not a terminal.
/// </summary>
internal static class Netbackctl
{
    public static string Path
    {
        get
        {
            var here = new DirectoryInfo(System.IO.Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
            string path = System.IO.Path.Combine(here.Parent!.Parent!.FullName, "Netback.Ctl", here.Name, "netbackctl");
            return File.Exists(path) ? path : throw new FileNotFoundException($"netbackctl not found at {path}: build the solution", path);
        }
    }

    /// <summary>Runs netbackctl on <paramref name="adminSocket"/> to its end (at most 30 s): exit code, stdout, stderr.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string adminSocket, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path, ["--admin-socket", adminSocket, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"netbackctl {string.Join(' ', arguments)} did not finish in 30 s");
        }
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>Starts netbackctl (e.g. <c>stats --watch</c>), reads <paramref name="count"/> lines of its stdout, then ends it.</summary>
    public static List<string> FirstLines(string adminSocket, int count, params string[] arguments) =>
        FirstLines(adminSocket, count, _ => { }, arguments);

    /// <summary>As <see cref="FirstLines(string, int, string[])"/>, calling <paramref name="afterLine"/> with each line's index as it is read.</summary>
    public static List<string> FirstLines(string adminSocket, int count, Action<int> afterLine, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path, ["--admin-socket", adminSocket, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var lines = new List<string>();
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (lines.Count < count)
            {
                var line = process.StandardOutput.ReadLineAsync();
                if (!line.Wait(deadline - DateTime.UtcNow) || line.Result is null)
                {
                    throw new TimeoutException($"netbackctl {string.Join(' ', arguments)}: {lines.Count} of {count} lines; stderr: {process.StandardError.ReadToEnd()}");
                }
                lines.Add(line.Result);
                afterLine(lines.Count - 1);
            }
            return lines;
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
    }
}
