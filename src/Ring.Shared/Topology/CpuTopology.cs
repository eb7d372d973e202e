using System.Globalization;

namespace Ring.Shared.Topology;

/// <summary>
/// The machine's CPUs and NUMA nodes as sysfs lists them: <c>/sys/devices/system/cpu/possible</c>
/// (numbers a CPU may have), <c>…/cpu/online</c> (those that run now) and
/// <c>/sys/devices/system/node/node&lt;N&gt;/cpulist</c> (each node's CPUs). A kernel without NUMA has
/// no node directory: the machine is then one node, 0, holding every online CPU. Read once; a CPU
/// hot-plugged later is not seen (placement is advice, and the kernel refuses an offline CPU anyway).
/// </summary>
public sealed class CpuTopology
{
    /// <summary>Nodes considered (the kernel's MAX_NUMNODES is at most 1024).</summary>
    public const int MaxNodes = 1024;

    private static readonly Lazy<CpuTopology> MachineTopology = new(() => Read("/sys/devices/system"));

    public CpuTopology(int possibleCpus, CpuSet online, IReadOnlyDictionary<int, CpuSet> nodes)
    {
        PossibleCpus = Math.Clamp(possibleCpus, 1, CpuSet.MaxCpus);
        Online = online;
        Nodes = nodes.Count == 0 ? new Dictionary<int, CpuSet> { [0] = online } : nodes;
    }

    /// <summary>This machine's, read on first use.</summary>
    public static CpuTopology Machine => MachineTopology.Value;

    /// <summary>CPU numbers run 0..PossibleCpus-1: a list naming a higher one is not from this machine.</summary>
    public int PossibleCpus { get; }

    public CpuSet Online { get; }

    /// <summary>Node id to its online CPUs (at least one node).</summary>
    public IReadOnlyDictionary<int, CpuSet> Nodes { get; }

    /// <summary>The node a CPU belongs to, or null for a CPU no node lists.</summary>
    public int? NodeOf(int cpu)
    {
        foreach (var (node, cpus) in Nodes)
        {
            if (cpus.Contains(cpu))
            {
                return node;
            }
        }
        return null;
    }

    /// <summary>Reads a sysfs tree (<paramref name="systemDirectory"/> is <c>/sys/devices/system</c>, or a test's copy).</summary>
    public static CpuTopology Read(string systemDirectory)
    {
        int possible = Environment.ProcessorCount;
        if (ReadList(Path.Combine(systemDirectory, "cpu", "possible"), CpuSet.MaxCpus) is { IsEmpty: false } p)
        {
            possible = p[p.Count - 1] + 1;
        }
        var online = ReadList(Path.Combine(systemDirectory, "cpu", "online"), possible)
            ?? CpuSet.Of(Enumerable.Range(0, Math.Min(possible, Environment.ProcessorCount)));
        var nodes = new SortedDictionary<int, CpuSet>();
        string nodeDirectory = Path.Combine(systemDirectory, "node");
        if (Directory.Exists(nodeDirectory))
        {
            foreach (string dir in Directory.EnumerateDirectories(nodeDirectory, "node*"))
            {
                if (int.TryParse(Path.GetFileName(dir.AsSpan())[4..], NumberStyles.None, CultureInfo.InvariantCulture, out int node)
                    && node < MaxNodes && ReadList(Path.Combine(dir, "cpulist"), possible) is { } cpus)
                {
                    nodes[node] = cpus.Intersect(online);
                }
            }
        }
        return new CpuTopology(possible, online, nodes);
    }

    private static CpuSet? ReadList(string path, int limit)
    {
        try
        {
            string text = File.ReadAllText(path).Trim();
            if (text.Length == 0)
            {
                return CpuSet.Empty; // a memory-only node
            }
            return CpuSet.TryParse(text, limit, out var set, out _) ? set : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
