using Netback.Tests.Support;
using Netfront.Client;
using Ring.Shared.Control;
using Ring.Shared.Interop;
using Ring.Shared.Topology;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// Netback:Placement end to end: a real frontend advertises where it runs (NetfrontOptions.Cpus →
/// frontend-cpus), and each worker thread's affinity, read back from the kernel by tid
/// (sched_getaffinity), is what the policy says; netbackctl show and the connected line say it too.
/// A frontend whose placement keys are hostile loses its own Connect only.
/// </summary>
public sealed class PlacementTests(ITestOutputHelper output)
{
    /// <summary>The worker's mask as the kernel has it, once it is <paramref name="want"/> or after 2 s.</summary>
    private static string WorkerAffinity(InProcessBackend backend, int queue, string want)
    {
        var q = backend.Registry.Snapshot().Single().Queues[queue];
        Assert.True(Eventually(() => q.WorkerTid != 0), "the worker did not start");
        // The worker pins itself right after publishing its tid: wait for the mask to settle.
        string? mask = null;
        Eventually(() => (mask = Affinity.Get(q.WorkerTid)?.ToString()) == want, TimeSpan.FromSeconds(2));
        return mask ?? "gone";
    }

    [Theory]
    [InlineData("none", "1", new[] { "all", "all" })]
    [InlineData("same-cpu", "1", new[] { "1", "1" })]
    [InlineData("same-cpu", "0-1", new[] { "0", "1" })]
    [InlineData("other-cpu", "1", new[] { "0", "0" })]
    [InlineData("other-cpu", "0-1", new[] { "1", "0" })]
    [InlineData("same-node", "1", new[] { "node", "node" })]
    public async Task Each_workers_affinity_is_what_the_policy_says(string policy, string frontendCpus, string[] expected)
    {
        var online = CpuTopology.Machine.Online;
        if (online.Count < 2 || !online.Contains(0) || !online.Contains(1))
        {
            Assert.Skip($"needs CPUs 0 and 1 online (online: {online})");
        }
        await using var backend = new InProcessBackend(o => o.Placement = policy);
        using var device = NetfrontDevice.Connect(new NetfrontOptions
        {
            SocketPath = backend.SocketPath, HandshakeTimeout = Patience, Queues = 2, Cpus = frontendCpus,
        });
        Assert.Equal(2, device.Queues.Count);
        var vif = backend.Registry.Snapshot().Single();
        for (int q = 0; q < 2; q++)
        {
            string want = expected[q] switch
            {
                // Unpinned: the worker keeps the mask of the thread that started it (the session's).
                "all" => Affinity.Get(0)!.ToString(),
                "node" => CpuTopology.Machine.Nodes[CpuTopology.Machine.NodeOf(1)!.Value].ToString(),
                var cpus => cpus,
            };
            string got = WorkerAffinity(backend, q, want);
            output.WriteLine($"{policy}, frontend-cpus {frontendCpus}: q{q} affinity {got} (want {want}); {vif.Plan.Placement.Description}");
            Assert.Equal(want, got);
            Assert.Equal(0, vif.Queues[q].PlacementErrno);
        }
        Assert.Equal(frontendCpus, device.Queues.Count == 2 ? vif.Negotiation!.Frontend.Single(e => e.Key == XenbusKeys.FrontendCpus).Value : null);
        Assert.StartsWith(policy, vif.Plan.Placement.Description, StringComparison.Ordinal);
        Assert.Contains($"placement {vif.Plan.Placement.Description}", AllLogs(backend), StringComparison.Ordinal);
        AssertPassesFramesBothWays(backend, device, 5);
    }

    [Fact]
    public async Task Other_node_on_a_one_node_machine_pins_nothing_and_says_so_once()
    {
        if (CpuTopology.Machine.Nodes.Count != 1)
        {
            Assert.Skip($"needs a one-node machine ({CpuTopology.Machine.Nodes.Count} nodes)");
        }
        await using var backend = new InProcessBackend(o => o.Placement = "other-node");
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, HandshakeTimeout = Patience, Cpus = "0" });
        var vif = backend.Registry.Snapshot().Single();
        Assert.Equal("none (other-node: this machine has one NUMA node)", vif.Plan.Placement.Description);
        string all = Affinity.Get(0)!.ToString();
        Assert.Equal(all, WorkerAffinity(backend, 0, all));
        string logs = AllLogs(backend);
        Assert.Contains("Netback:Placement is other-node, but this machine has 1 NUMA node(s): vifs are not pinned", logs, StringComparison.Ordinal);
        AssertPassesFramesBothWays(backend, device, 6);
    }

    [Theory]
    [InlineData(XenbusKeys.FrontendCpus, "garbage", "'frontend-cpus' is not a CPU list")]
    [InlineData(XenbusKeys.FrontendCpus, "-1", "'frontend-cpus' is not a CPU list")]
    [InlineData(XenbusKeys.FrontendCpus, "1-0", "'frontend-cpus' has the reversed range 1-0")]
    [InlineData(XenbusKeys.FrontendCpus, "4095", "'frontend-cpus' names CPU 4095")]
    [InlineData(XenbusKeys.FrontendCpus, "0-99999", "'frontend-cpus' names CPU 99999")]
    [InlineData(XenbusKeys.FrontendNode, "1023", "'frontend-node' 1023 is not a NUMA node of this machine")]
    [InlineData(XenbusKeys.FrontendNode, "-3", "key 'frontend-node' = '-3' is not an integer")]
    public async Task Hostile_placement_keys_refuse_only_their_own_connect(string key, string value, string reason)
    {
        await using var backend = new InProcessBackend(o => o.Placement = "same-cpu");
        using var healthy = Healthy(backend);
        using var f = HostileFrontend.Open(backend.SocketPath);
        var m = HostileFrontend.StandardConnect();
        m.Set(key, value);
        f.SendConnect(m, f.StandardFds());
        AssertReason(f.ReceiveControl(), ControlMessageType.Error, Ring.Shared.Abi.XenbusState.Closing, reason);
        Assert.True(f.WaitForEof());
        Assert.Equal(1, backend.Registry.Count);
        AssertPassesFramesBothWays(backend, healthy, 7);
    }

    [Fact]
    public async Task A_10k_character_cpu_list_is_refused_by_the_codec_and_harms_no_other_vif()
    {
        await using var backend = new InProcessBackend(o => o.Placement = "same-cpu");
        using var healthy = Healthy(backend);
        using var f = HostileFrontend.Open(backend.SocketPath);
        var m = HostileFrontend.StandardConnect();
        m.Set(XenbusKeys.FrontendCpus, string.Join(',', Enumerable.Repeat("0", 5000)));
        try
        {
            f.SendConnect(m, f.StandardFds());
        }
        catch (ControlProtocolException)
        {
            // Our own codec refused to encode it; the backend's bounds the same 1 KiB per value.
            return;
        }
        var reply = f.ReceiveControl();
        Assert.Equal(ControlMessageType.Error, reply.Type);
        Assert.Equal(1, backend.Registry.Count);
        AssertPassesFramesBothWays(backend, healthy, 8);
    }
}
