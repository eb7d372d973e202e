using Netback.Tests.Support;

namespace Netback.Tests.Fuzz;

/// <summary>
/// This process's fds, threads and memory at one moment. Threads are split into the runtime's own
/// (".NET …": thread pool, timers, finalizer), whose number the runtime varies by load, and the rest
/// (the backend's session and worker threads, the test's threads), which must come back exactly.
/// Fds are counted without the assemblies' (the runtime opens one per assembly on first use).
/// </summary>
internal readonly record struct ResourceSnapshot(int Fds, int Threads, int OwnThreads, long ManagedBytes, long RssBytes)
{
    public static ResourceSnapshot Take()
    {
        Native.SettledFdCount(); // collects and finalizes first: garbage must not hold fds
        // Assemblies the runtime loads on first use keep an fd for the life of the process: not a leak.
        int fds = Directory.GetFiles("/proc/self/fd").Count(f => !(LinkTarget(f)?.EndsWith(".dll", StringComparison.Ordinal) ?? false));
        long managed = GC.GetTotalMemory(forceFullCollection: true);
        int threads = 0, own = 0;
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            threads++;
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET", StringComparison.Ordinal))
                {
                    own++;
                }
            }
            catch (IOException)
            {
                // the thread ended while we looked
            }
        }
        return new ResourceSnapshot(fds, threads, own, managed, RssKiB() * 1024);
    }

    /// <summary>Names of the non-runtime threads, for failure messages.</summary>
    public static string OwnThreadNames() =>
        string.Join(", ", Directory.GetDirectories("/proc/self/task")
            .Select(t => { try { return File.ReadAllText(Path.Combine(t, "comm")).Trim(); } catch (IOException) { return "?"; } })
            .Where(n => !n.StartsWith(".NET", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal));

    private static string? LinkTarget(string fd)
    {
        try
        {
            return new FileInfo(fd).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long RssKiB()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }

    public override string ToString() =>
        $"{Fds} fds, {Threads} threads ({OwnThreads} non-runtime), managed {ManagedBytes / 1048576.0:0.0} MiB, RSS {RssBytes / 1048576.0:0.0} MiB";
}
