using System.Globalization;
using System.Runtime.InteropServices;

namespace Ring.Shared.Interop;

/// <summary>
/// <c>sched_setaffinity(2)</c> for one thread, named by its Linux id or by its name in
/// <c>/proc/&lt;pid&gt;/task/*/comm</c>: benchmarks pin a ring's producer and consumer to chosen CPUs
/// (the same core or different ones) to see what sharing cache lines across cores costs.
/// </summary>
public static partial class CpuAffinity
{
    [LibraryImport(Libc.Name, SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint cpusetsize, ref ulong mask);

    /// <summary>Pins thread <paramref name="tid"/> to CPU <paramref name="cpu"/> (0..63); throws with errno on failure.</summary>
    public static void Pin(int tid, int cpu)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cpu);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cpu, 63);
        ulong mask = 1UL << cpu;
        if (sched_setaffinity(tid, sizeof(ulong), ref mask) < 0)
        {
            throw NativeError.Exception($"sched_setaffinity(tid {tid}, cpu {cpu})", NativeError.LastErrno);
        }
    }

    /// <summary>The id of the thread of process <paramref name="pid"/> named <paramref name="name"/> (comm), or null.</summary>
    public static int? FindThread(int pid, string name)
    {
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name)
                {
                    return int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }
        return null;
    }
}
