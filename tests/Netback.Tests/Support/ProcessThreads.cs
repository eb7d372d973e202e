using System.Globalization;

namespace Netback.Tests.Support;

/// <summary>This process's threads as the kernel lists them (/proc/self/task): count, names, CPU time.</summary>
internal static class ProcessThreads
{
    public static int Count()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                return int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException("no Threads: line in /proc/self/status");
    }

    public static string[] Names()
    {
        var names = new List<string>();
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                names.Add(File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'));
            }
            catch (IOException)
            {
                // the thread exited meanwhile
            }
        }
        return names.ToArray();
    }

    /// <summary>User plus system CPU time of the threads named <paramref name="name"/>, in clock ticks (1/100 s).</summary>
    public static long CpuTicks(string name)
    {
        long ticks = 0;
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') != name)
                {
                    continue;
                }
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                // Fields after the ")" that closes comm: state is 3rd, utime 14th, stime 15th.
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
            }
        }
        return ticks;
    }
}
