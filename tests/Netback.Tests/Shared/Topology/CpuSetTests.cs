using Ring.Shared.Topology;

namespace Netback.Tests.Shared.Topology;

/// <summary>
/// CpuSet.TryParse: a frontend's frontend-cpus is hostile text. Only Linux's list syntax of CPUs
/// below the machine's limit is taken; everything else fails with a reason, never an exception,
/// and nothing loops or allocates beyond the limit.
/// </summary>
public sealed class CpuSetTests
{
    private static string Fails(string? text, int limit = 8)
    {
        Assert.False(CpuSet.TryParse(text, limit, out var set, out string? error));
        Assert.True(set.IsEmpty);
        return Assert.IsType<string>(error);
    }

    [Theory]
    [InlineData(null, "is empty")]
    [InlineData("", "is empty")]
    [InlineData("garbage", "is not a CPU list")]
    [InlineData("-1", "is not a CPU list")]
    [InlineData("0,-1", "is not a CPU list")]
    [InlineData("1--2", "is not a CPU list")]
    [InlineData("0-", "is not a CPU list")]
    [InlineData("0,,1", "is not a CPU list")]
    [InlineData(" 0", "is not a CPU list")]
    [InlineData("0 ", "is not a CPU list")]
    [InlineData("+1", "is not a CPU list")]
    [InlineData("0x1", "is not a CPU list")]
    [InlineData("0-1-2", "is not a CPU list")]
    [InlineData("１", "is not a CPU list")] // a full-width digit: char.IsDigit, not ASCII
    [InlineData("3-1", "reversed range 3-1")]
    [InlineData("8", "names CPU 8, but this machine's CPUs are 0..7")]
    [InlineData("0-99999", "names CPU 99999")]
    [InlineData("0-4095", "names CPU 4095")]
    [InlineData("99999999999", "is not a CPU list")]
    public void Hostile_lists_are_refused_with_a_reason(string? text, string reason) =>
        Assert.Contains(reason, Fails(text), StringComparison.Ordinal);

    [Fact]
    public void A_list_longer_than_the_bound_is_refused_before_it_is_read()
    {
        string huge = string.Join(',', Enumerable.Repeat("0", 5000)); // 9999 characters of valid syntax
        Assert.Contains($"longer than {CpuSet.MaxTextLength}", Fails(huge), StringComparison.Ordinal);
        Assert.Contains($"longer than {CpuSet.MaxTextLength}", Fails(new string('x', 10_000)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "0", 1)]
    [InlineData("0-1,3", "0-1,3", 3)]
    [InlineData("3,0-1", "0-1,3", 3)]
    [InlineData("1,1,1-1", "1", 1)]
    [InlineData("0,1,2,5,6", "0-2,5-6", 5)]
    [InlineData("7", "7", 1)]
    public void Lists_parse_to_a_sorted_set_and_print_canonically(string text, string canonical, int count)
    {
        Assert.True(CpuSet.TryParse(text, 8, out var set, out string? error), error);
        Assert.Equal(canonical, set.ToString());
        Assert.Equal(count, set.Count);
        Assert.Equal(set.Cpus.Order(), set.Cpus);
    }

    [Fact]
    public void Set_operations_keep_the_order()
    {
        Assert.True(CpuSet.TryParse("0-5", 8, out var all, out _));
        var some = CpuSet.Of([4, 1]);
        Assert.Equal("1,4", some.ToString());
        Assert.Equal("0,2-3,5", all.Except(some).ToString());
        Assert.Equal("1,4", all.Intersect(some).ToString());
    }

    [Fact]
    public void The_machine_topology_has_a_node_holding_every_online_cpu()
    {
        var t = CpuTopology.Machine;
        Assert.False(t.Online.IsEmpty);
        Assert.True(t.Online[t.Online.Count - 1] < t.PossibleCpus);
        Assert.Equal(t.Online.ToString(), CpuSet.Of(t.Nodes.Values.SelectMany(n => n.Cpus)).ToString());
        Assert.All(t.Online.Cpus, c => Assert.NotNull(t.NodeOf(c)));
    }
}
