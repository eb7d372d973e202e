using System.Runtime.InteropServices;
using Ring.Shared.Topology;

namespace Ring.Shared.Interop;

/// <summary>
/// <c>sched_setaffinity(2)</c> / <c>sched_getaffinity(2)</c> on one Linux thread (a tid from
/// <see cref="Tid"/>; 0 is the calling thread). The mask is a kernel cpumask of
/// <see cref="CpuSet.MaxCpus"/> bits on the stack: nothing is allocated to set it.
/// </summary>
internal static unsafe partial class Affinity
{
    private const int MaskWords = CpuSet.MaxCpus / 64;

    [LibraryImport(Libc.Name, SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint cpusetsize, ulong* mask);

    [LibraryImport(Libc.Name, SetLastError = true)]
    private static partial int sched_getaffinity(int pid, nuint cpusetsize, ulong* mask);

    /// <summary>Restricts thread <paramref name="tid"/> to <paramref name="cpus"/>; 0 or the errno (EINVAL: none of them online).</summary>
    public static int Set(int tid, CpuSet cpus)
    {
        ulong* mask = stackalloc ulong[MaskWords];
        new Span<ulong>(mask, MaskWords).Clear();
        foreach (int cpu in cpus.Cpus)
        {
            mask[cpu / 64] |= 1UL << (cpu % 64);
        }
        return sched_setaffinity(tid, (nuint)(MaskWords * sizeof(ulong)), mask) == 0 ? 0 : NativeError.LastErrno;
    }

    /// <summary>The CPUs thread <paramref name="tid"/> may run on, or null if it cannot be read (the thread is gone).</summary>
    public static CpuSet? Get(int tid)
    {
        ulong* mask = stackalloc ulong[MaskWords];
        new Span<ulong>(mask, MaskWords).Clear();
        if (sched_getaffinity(tid, (nuint)(MaskWords * sizeof(ulong)), mask) != 0)
        {
            return null;
        }
        var cpus = new List<int>();
        for (int cpu = 0; cpu < CpuSet.MaxCpus; cpu++)
        {
            if ((mask[cpu / 64] & (1UL << (cpu % 64))) != 0)
            {
                cpus.Add(cpu);
            }
        }
        return CpuSet.Of(cpus);
    }
}
