using System.Globalization;
using Netback.Daemon.Configuration;
using Ring.Shared.Topology;

namespace Netback.Daemon.Interface;

/// <summary>
/// Where each queue's worker of one vif runs (<c>Netback:Placement</c> applied to what the frontend
/// said of itself in <c>frontend-cpus</c> / <c>frontend-node</c>), decided at admission: a CPU set
/// per queue, or none (not pinned). A policy that cannot be met for this vif (the frontend said
/// nothing, or there is no other CPU or node) leaves it unpinned, and <see cref="Description"/> says why.
/// </summary>
internal sealed class VifPlacement
{
    private readonly CpuSet?[] _queues;

    private VifPlacement(PlacementPolicy policy, PlacementPolicy applied, CpuSet?[] queues, string description)
    {
        Policy = policy;
        Applied = applied;
        _queues = queues;
        Description = description;
    }

    public static VifPlacement None { get; } = new(PlacementPolicy.None, PlacementPolicy.None, [], PlacementPolicyNames.None);

    /// <summary>The daemon's policy.</summary>
    public PlacementPolicy Policy { get; }

    /// <summary>The policy in force for this vif: <see cref="PlacementPolicy.None"/> when it fell back.</summary>
    public PlacementPolicy Applied { get; }

    /// <summary>For the connected log line and <c>netbackctl show</c>: the policy and each queue's CPUs, or why none.</summary>
    public string Description { get; }

    /// <summary>The CPUs queue <paramref name="queue"/>'s worker is pinned to, or null (not pinned).</summary>
    public CpuSet? ForQueue(int queue) => queue < _queues.Length ? _queues[queue] : null;

    /// <param name="frontendCpus">The frontend's <c>frontend-cpus</c> (checked against the machine), or null.</param>
    /// <param name="frontendNode">The frontend's <c>frontend-node</c> (a node of the machine), or null.</param>
    public static VifPlacement For(PlacementPolicy policy, CpuTopology topology, CpuSet? frontendCpus, int? frontendNode, int queues)
    {
        if (policy == PlacementPolicy.None)
        {
            return None;
        }
        string name = policy.ToKey();
        // Offline CPUs cannot be pinned to: a frontend that names only those is one that named none.
        var frontend = frontendCpus?.Intersect(topology.Online) ?? CpuSet.Empty;
        var sets = new CpuSet?[queues];
        switch (policy)
        {
            case PlacementPolicy.SameCpu:
            case PlacementPolicy.OtherCpu:
            {
                if (frontend.IsEmpty)
                {
                    return Fallback(policy, $"{name}: the frontend named no online CPU in frontend-cpus");
                }
                var elsewhere = topology.Online.Except(frontend);
                for (int q = 0; q < queues; q++)
                {
                    int cpu = frontend[q % frontend.Count];
                    if (policy == PlacementPolicy.SameCpu)
                    {
                        sets[q] = CpuSet.Of([cpu]);
                    }
                    else if (!elsewhere.IsEmpty)
                    {
                        sets[q] = CpuSet.Of([elsewhere[q % elsewhere.Count]]);
                    }
                    else
                    {
                        // The frontend runs everywhere: at least not on its own queue's CPU.
                        var others = topology.Online.Except(CpuSet.Of([cpu]));
                        sets[q] = others.IsEmpty ? null : CpuSet.Of([others[q % others.Count]]);
                    }
                }
                if (sets.All(s => s is null))
                {
                    return Fallback(policy, $"{name}: this machine has no other online CPU");
                }
                break;
            }
            default:
            {
                int? node = frontendNode;
                if (node is null && !frontend.IsEmpty)
                {
                    // A frontend that gave only its CPUs: its node if they all lie on one.
                    var nodes = frontend.Cpus.Select(topology.NodeOf).Distinct().ToArray();
                    node = nodes.Length == 1 ? nodes[0] : null;
                }
                if (node is not { } n || !topology.Nodes.TryGetValue(n, out var own))
                {
                    return Fallback(policy, $"{name}: the frontend's node is not known (no frontend-node, and frontend-cpus not on one node)");
                }
                CpuSet cpus;
                if (policy == PlacementPolicy.SameNode)
                {
                    cpus = own;
                }
                else
                {
                    if (topology.Nodes.Count < 2)
                    {
                        return Fallback(policy, $"{name}: this machine has one NUMA node");
                    }
                    cpus = CpuSet.Of(topology.Nodes.Where(e => e.Key != n).SelectMany(e => e.Value.Cpus));
                }
                if (cpus.IsEmpty)
                {
                    return Fallback(policy, $"{name}: no online CPU on the {(policy == PlacementPolicy.SameNode ? "frontend's node" : "other nodes")}");
                }
                Array.Fill(sets, cpus);
                break;
            }
        }
        string queuesText = string.Join(", ", sets.Select((s, q) =>
            string.Create(CultureInfo.InvariantCulture, $"q{q} on {(s is null ? "any" : s.ToString())}")));
        string told = frontendCpus is null ? "" : $" (frontend-cpus {frontendCpus})";
        return new VifPlacement(policy, policy, sets, $"{name}{told}: {queuesText}");
    }

    /// <summary>
    /// Under <c>pool:N</c> a worker serves queues of many vifs: pinning it for one queue would move it
    /// for all of them (and the next queue attached would move it again), so no queue is pinned and
    /// the vif's placement says why.
    /// </summary>
    public static VifPlacement ForPool(PlacementPolicy policy, string threads) => policy == PlacementPolicy.None
        ? None
        : Fallback(policy, $"{policy.ToKey()}: threads {threads} serve queues of many vifs, so none is pinned per queue");

    private static VifPlacement Fallback(PlacementPolicy policy, string why) =>
        new(policy, PlacementPolicy.None, [], $"{PlacementPolicyNames.None} ({why})");
}
