using System.Globalization;
using System.Text;

namespace Ring.Shared.Topology;

/// <summary>
/// A set of CPU numbers in Linux's CPU-list syntax (<c>0-1,3</c>: <c>cpuset(7)</c>'s "List format",
/// what <c>/sys/devices/system/cpu/online</c> and <c>Cpus_allowed_list</c> hold), kept sorted so
/// that "the i-th CPU" means the same on both sides of a vif. Parsing is strict because a frontend's
/// <c>frontend-cpus</c> is hostile text: the text is bounded (<see cref="MaxTextLength"/>), only
/// digits, commas and single dashes are taken, a range must not run backwards, and every CPU must lie
/// below a limit (the machine's possible CPUs, never above <see cref="MaxCpus"/>), so a list can
/// never make anyone allocate or loop more than <see cref="MaxCpus"/> times.
/// </summary>
public sealed class CpuSet
{
    /// <summary>Longest list text accepted: 256 characters name any set of a 64-CPU machine and most of larger ones.</summary>
    public const int MaxTextLength = 256;

    /// <summary>Highest CPU count handled (the kernel's CONFIG_NR_CPUS on large distributions' kernels).</summary>
    public const int MaxCpus = 4096;

    private readonly int[] _cpus;

    private CpuSet(int[] cpus) => _cpus = cpus;

    /// <summary>How many CPUs are in the set.</summary>
    public int Count => _cpus.Length;

    /// <summary>The <paramref name="index"/>-th lowest CPU of the set.</summary>
    public int this[int index] => _cpus[index];

    public bool IsEmpty => _cpus.Length == 0;

    /// <summary>The CPUs in ascending order.</summary>
    public IReadOnlyList<int> Cpus => _cpus;

    public static CpuSet Empty { get; } = new([]);

    /// <summary>The set of the given CPUs (each 0..<see cref="MaxCpus"/>-1; duplicates merge).</summary>
    public static CpuSet Of(IEnumerable<int> cpus)
    {
        var list = new SortedSet<int>();
        foreach (int cpu in cpus)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(cpu);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(cpu, MaxCpus);
            list.Add(cpu);
        }
        return new CpuSet([.. list]);
    }

    public bool Contains(int cpu) => Array.BinarySearch(_cpus, cpu) >= 0;

    /// <summary>The CPUs of this set that are also in <paramref name="other"/>.</summary>
    public CpuSet Intersect(CpuSet other) => new([.. _cpus.Where(other.Contains)]);

    /// <summary>The CPUs of this set that are not in <paramref name="other"/>.</summary>
    public CpuSet Except(CpuSet other) => new([.. _cpus.Where(c => !other.Contains(c))]);

    /// <summary>
    /// Parses a CPU list whose every CPU must be below <paramref name="limit"/> (at most <see cref="MaxCpus"/>).
    /// On failure <paramref name="error"/> says what is wrong, without quoting the text (the caller
    /// decides how to show hostile text).
    /// </summary>
    public static bool TryParse(string? text, int limit, out CpuSet set, out string? error)
    {
        set = Empty;
        limit = Math.Clamp(limit, 1, MaxCpus);
        if (string.IsNullOrEmpty(text))
        {
            error = "is empty";
            return false;
        }
        if (text.Length > MaxTextLength)
        {
            error = $"is longer than {MaxTextLength} characters";
            return false;
        }
        var present = new bool[limit];
        int count = 0;
        foreach (var item in text.Split(','))
        {
            int dash = item.IndexOf('-', StringComparison.Ordinal);
            string first = dash < 0 ? item : item[..dash];
            string? last = dash < 0 ? null : item[(dash + 1)..];
            if (!TryCpu(first, limit, out int from, out error) || (last is not null && !TryCpu(last, limit, out _, out error)))
            {
                return false;
            }
            int to = last is null ? from : int.Parse(last, NumberStyles.None, CultureInfo.InvariantCulture);
            if (to < from)
            {
                error = $"has the reversed range {from}-{to}";
                return false;
            }
            for (int cpu = from; cpu <= to; cpu++)
            {
                if (!present[cpu])
                {
                    present[cpu] = true;
                    count++;
                }
            }
        }
        var cpus = new int[count];
        for (int cpu = 0, at = 0; cpu < limit; cpu++)
        {
            if (present[cpu])
            {
                cpus[at++] = cpu;
            }
        }
        set = new CpuSet(cpus);
        error = null;
        return true;
    }

    private static bool TryCpu(string s, int limit, out int cpu, out string? error)
    {
        cpu = 0;
        // Digits only: no sign, no space, no hex; five digits already exceed MaxCpus.
        if (s.Length is 0 or > 5 || !s.All(char.IsAsciiDigit))
        {
            error = "is not a CPU list such as 0-1,3 (digits, commas and ranges a-b only)";
            return false;
        }
        cpu = int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
        if (cpu >= limit)
        {
            error = $"names CPU {cpu}, but this machine's CPUs are 0..{limit - 1}";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>The canonical list text: ascending, runs of two or more as ranges (<c>0-1,3</c>); empty for no CPU.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < _cpus.Length;)
        {
            int j = i;
            while (j + 1 < _cpus.Length && _cpus[j + 1] == _cpus[j] + 1)
            {
                j++;
            }
            if (sb.Length > 0)
            {
                sb.Append(',');
            }
            sb.Append(_cpus[i].ToString(CultureInfo.InvariantCulture));
            if (j > i)
            {
                sb.Append('-').Append(_cpus[j].ToString(CultureInfo.InvariantCulture));
            }
            i = j + 1;
        }
        return sb.ToString();
    }
}
