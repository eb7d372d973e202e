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

/// <summary>CPU time a process has used, from /proc/&lt;pid&gt;/stat (utime + stime, in clock ticks of 10 ms).</summary>
internal static class ProcCpu
{
    /// <summary>USER_HZ: /proc reports times in 1/100 s on every Linux architecture.</summary>
    public const int TicksPerSecond = 100;

    public static long Ticks(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may contain blanks: count fields after its closing parenthesis.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }
}
