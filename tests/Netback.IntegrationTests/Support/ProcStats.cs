namespace Netback.IntegrationTests.Support;

/// <summary>Another process's open fds and threads, from /proc/&lt;pid&gt;/fd and /proc/&lt;pid&gt;/task.</summary>
internal static class ProcStats
{
    public static int Fds(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    public static int Threads(int pid) => Directory.GetDirectories($"/proc/{pid}/task").Length;

    /// <summary>
    /// Mappings of netfront's grant areas ("/memfd:netfront-grants") in /proc/&lt;pid&gt;/maps: one left
    /// behind after its vif went is a leak. (The runtime maps memfds of its own for JIT code.)
    /// </summary>
    public static int GrantMappings(int pid) =>
        File.ReadLines($"/proc/{pid}/maps").Count(l => l.Contains("/memfd:netfront-grants", StringComparison.Ordinal));

    /// <summary>Resident set size in bytes, from VmRSS in /proc/&lt;pid&gt;/status.</summary>
    public static long RssBytes(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return 1024 * long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"no VmRSS for pid {pid}");
    }

    /// <summary>"fd -> target" per open fd, without the assemblies the runtime maps: for failure messages.</summary>
    public static string DescribeFds(int pid) =>
        string.Join(", ", Directory.GetFiles($"/proc/{pid}/fd").Select(f =>
        {
            try
            {
                return $"{Path.GetFileName(f)}->{new FileInfo(f).LinkTarget}";
            }
            catch (IOException)
            {
                return Path.GetFileName(f);
            }
        }).Where(l => !l.EndsWith(".dll", StringComparison.Ordinal)));

    /// <summary>Thread names (comm), for failure messages.</summary>
    public static string DescribeThreads(int pid) =>
        string.Join(", ", Directory.GetDirectories($"/proc/{pid}/task").Select(t =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(t, "comm")).Trim();
            }
            catch (IOException)
            {
                return "?";
            }
        }).Order(StringComparer.Ordinal));
}
