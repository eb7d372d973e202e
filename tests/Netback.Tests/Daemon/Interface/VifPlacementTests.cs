using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Ring.Shared.Topology;

namespace Netback.Tests.Daemon.Interface;

/// <summary>
/// VifPlacement.For on made-up machines: each policy's CPUs per queue for a frontend that
/// advertised a given CPU list, and the fallbacks to no pinning, each saying why.
/// </summary>
public sealed class VifPlacementTests
{
    /// <summary>CPUs 0..7 possible, 0..5 online; node 0 = 0-2, node 1 = 3-5 (6 and 7 offline).</summary>
    private static readonly CpuTopology TwoNodes = new(8, CpuSet.Of([0, 1, 2, 3, 4, 5]),
        new Dictionary<int, CpuSet> { [0] = CpuSet.Of([0, 1, 2]), [1] = CpuSet.Of([3, 4, 5]) });

    /// <summary>This test machine's shape: two CPUs, one node.</summary>
    private static readonly CpuTopology OneNode = new(2, CpuSet.Of([0, 1]), new Dictionary<int, CpuSet>());

    private static string[] Queues(VifPlacement p, int queues) =>
        [.. Enumerable.Range(0, queues).Select(q => p.ForQueue(q)?.ToString() ?? "any")];

    private static CpuSet List(string text)
    {
        Assert.True(CpuSet.TryParse(text, 8, out var set, out string? error), error);
        return set;
    }

    [Theory]
    [InlineData(PlacementPolicy.SameCpu, "1,4", new[] { "1", "4", "1" })]
    [InlineData(PlacementPolicy.OtherCpu, "1,4", new[] { "0", "2", "3" })]
    [InlineData(PlacementPolicy.SameNode, "4-5", new[] { "3-5", "3-5", "3-5" })]
    [InlineData(PlacementPolicy.OtherNode, "4-5", new[] { "0-2", "0-2", "0-2" })]
    [InlineData(PlacementPolicy.SameCpu, "6,1", new[] { "1", "1", "1" })] // 6 is offline: left out
    public void Each_policy_places_each_queue(PlacementPolicy policy, string frontendCpus, string[] expected)
    {
        var p = VifPlacement.For(policy, TwoNodes, List(frontendCpus), null, 3);
        Assert.Equal(policy, p.Applied);
        Assert.Equal(expected, Queues(p, 3));
        Assert.StartsWith(policy.ToKey(), p.Description, StringComparison.Ordinal);
        Assert.Contains($"q2 on {expected[2]}", p.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Frontend_node_decides_the_node_over_its_cpus()
    {
        var p = VifPlacement.For(PlacementPolicy.SameNode, TwoNodes, null, 0, 1);
        Assert.Equal("0-2", p.ForQueue(0)!.ToString());
    }

    [Fact]
    public void Other_cpu_on_a_frontend_that_runs_everywhere_avoids_at_least_its_queues_cpu()
    {
        var p = VifPlacement.For(PlacementPolicy.OtherCpu, OneNode, List("0-1"), null, 2);
        Assert.Equal(["1", "0"], Queues(p, 2));
    }

    [Theory]
    [InlineData(PlacementPolicy.OtherNode, "0", "none (other-node: this machine has one NUMA node)")]
    [InlineData(PlacementPolicy.SameCpu, null, "none (same-cpu: the frontend named no online CPU in frontend-cpus)")]
    [InlineData(PlacementPolicy.OtherCpu, null, "none (other-cpu: the frontend named no online CPU in frontend-cpus)")]
    [InlineData(PlacementPolicy.SameNode, null, "none (same-node: the frontend's node is not known")]
    public void A_policy_that_cannot_be_met_pins_nothing_and_says_why(PlacementPolicy policy, string? frontendCpus, string description)
    {
        var p = VifPlacement.For(policy, OneNode, frontendCpus is null ? null : List(frontendCpus), null, 2);
        Assert.Equal(PlacementPolicy.None, p.Applied);
        Assert.Equal(["any", "any"], Queues(p, 2));
        Assert.StartsWith(description, p.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_cpu_on_a_one_node_machine_still_pins_and_same_node_is_the_whole_node()
    {
        Assert.Equal(["1", "1"], Queues(VifPlacement.For(PlacementPolicy.SameCpu, OneNode, List("1"), null, 2), 2));
        Assert.Equal(["0-1", "0-1"], Queues(VifPlacement.For(PlacementPolicy.SameNode, OneNode, List("1"), null, 2), 2));
    }

    [Fact]
    public void A_pool_pins_no_queue_and_says_why()
    {
        var p = VifPlacement.ForPool(PlacementPolicy.SameCpu, "pool:2");
        Assert.Equal(PlacementPolicy.None, p.Applied);
        Assert.Equal(["any", "any"], Queues(p, 2));
        Assert.Contains("pool:2", p.Description, StringComparison.Ordinal);
        Assert.Same(VifPlacement.None, VifPlacement.ForPool(PlacementPolicy.None, "pool:2"));
    }
}
