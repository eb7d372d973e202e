using Netback.Daemon.Admin;
using Netback.Tests.Support;
using Netfront.Client;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// Netback:Threads: <c>pool:N</c> serves any number of vifs with exactly N threads, each queue
/// attached for life to the least-loaded one; <c>split</c> gives a queue a guest-TX and a guest-RX
/// thread; frames flow and no wake-up is lost under every model; the model is said where the operator
/// looks. They run alone (<see cref="SerialCollection"/>): they count this process's threads by name.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ThreadModelTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_pool_of_two_serves_eight_vifs_with_exactly_two_threads()
    {
        await using var backend = new InProcessBackend(o => o.Threads = "pool:2");
        var devices = new List<NetfrontDevice>();
        try
        {
            for (int i = 0; i < 8; i++)
            {
                devices.Add(Healthy(backend));
            }
            Assert.True(backend.WaitForVifCount(8, Patience));
            for (int i = 0; i < devices.Count; i++)
            {
                AssertPassesFramesBothWays(backend, devices[i], (byte)(0x10 + i));
            }
            var names = ThreadNames();
            output.WriteLine(string.Join(", ", names.Where(n => n.StartsWith("netback/", StringComparison.Ordinal) || n.StartsWith("vif", StringComparison.Ordinal))));
            Assert.Equal(["netback/0", "netback/1"], names.Where(n => n.StartsWith("netback/", StringComparison.Ordinal)).Order());
            foreach (var d in devices)
            {
                Assert.DoesNotContain($"{d.VifName}-q0", names);
            }
            // Least-loaded static attachment: the vifs alternate, four on each worker.
            var vifs = backend.Registry.Snapshot();
            var summaries = vifs.Select(v => VifNodes.List(v).Single(n => n.Path == "summary/threads").Value).ToArray();
            Assert.Equal(4, summaries.Count(s => s == "pool:2 (worker 0)"));
            Assert.Equal(4, summaries.Count(s => s == "pool:2 (worker 1)"));
            var queueWorker = VifNodes.List(vifs[0]).Single(n => n.Path == "queue-0/worker/name").Value;
            Assert.StartsWith("netback/", queueWorker, StringComparison.Ordinal);
            Assert.Contains(backend.Logs.Entries, e => e.Message.Contains("threads pool:2 (worker 1)", StringComparison.Ordinal));
            // netbackctl list's THREADS column.
            var list = VifCounters.List(backend.Registry, 0);
            Assert.StartsWith("pool:2 (worker ", list.Get(Ring.Shared.Control.AdminKeys.ForVif(0, Ring.Shared.Control.AdminKeys.Threads)), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var d in devices)
            {
                d.Dispose();
            }
        }
        Assert.True(backend.WaitForVifCount(0, Patience));
        // The queues left; the pool stays, its two threads idle.
        Assert.Equal(2, ThreadNames().Count(n => n.StartsWith("netback/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Split_gives_each_queue_a_guest_tx_and_a_guest_rx_thread()
    {
        await using var backend = new InProcessBackend(o => o.Threads = "split");
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, Queues = 2, HandshakeTimeout = Patience });
        Assert.True(backend.WaitForVifCount(1, Patience));
        AssertPassesFramesBothWays(backend, device, 0x21);
        string vif = device.VifName;
        Assert.True(Eventually(() => HostileEventFds.ThreadId($"{vif}-q1-rx") is not null), "no guest-RX thread of queue 1");
        var names = ThreadNames();
        foreach (string expected in new[] { $"{vif}-q0-tx", $"{vif}-q0-rx", $"{vif}-q1-tx", $"{vif}-q1-rx" })
        {
            Assert.Contains(expected, names);
        }
        Assert.DoesNotContain($"{vif}-q0", names);
        var nodes = VifNodes.List(backend.Registry.Snapshot().Single()).ToDictionary(n => n.Path, n => n.Value);
        Assert.Equal("split", nodes["summary/threads"]);
        Assert.Equal($"{vif}-q0-tx", nodes["queue-0/worker/name"]);
        Assert.Equal($"{vif}-q0-rx", nodes["queue-0/rx-worker/name"]);
        Assert.NotEqual(nodes["queue-0/worker/tid"], nodes["queue-0/rx-worker/tid"]);
        device.Dispose();
        Assert.True(backend.WaitForVifCount(0, Patience));
        Assert.True(Eventually(() => HostileEventFds.ThreadId($"{vif}-q0-tx") is null && HostileEventFds.ThreadId($"{vif}-q1-rx") is null),
            "the split threads outlived their vif");
    }

    /// <summary>
    /// Four request/response frontends at once, each on its own thread, with gaps that land on both
    /// sides of every final check: a lost wake-up stalls one until its deadline. Under a pool two
    /// queues share each worker; under split each direction sleeps on its own.
    /// </summary>
    [Theory]
    [InlineData("per-queue", true)]
    [InlineData("pool:2", true)]
    [InlineData("pool:1", false)]
    [InlineData("split", true)]
    [InlineData("split", false)]
    public async Task Request_response_on_four_vifs_loses_no_wake_up(string model, bool splitChannels)
    {
        await using var backend = new InProcessBackend(o => o.Threads = model);
        const int Count = 1500;
        var devices = new NetfrontDevice[4];
        var echoes = new HostEcho[4];
        var results = new (int Echoes, string? Mismatch)[4];
        try
        {
            for (int i = 0; i < devices.Length; i++)
            {
                devices[i] = NetfrontDevice.Connect(new NetfrontOptions
                {
                    SocketPath = backend.SocketPath,
                    SplitEventChannels = splitChannels,
                    HandshakeTimeout = Patience,
                });
                echoes[i] = HostEcho.Start(backend.Host(devices[i].VifName));
            }
            var threads = new Thread[devices.Length];
            for (int i = 0; i < devices.Length; i++)
            {
                int at = i;
                threads[i] = new Thread(() =>
                {
                    using var driver = new NetfrontQueueDriver<PingPongWork>(devices[at].Queues[0],
                        new PingPongWork(Frame(60, (byte)(0x30 + at)), Count, 200, TimeSpan.FromSeconds(60)));
                    driver.Run();
                    results[at] = (driver.Work.Echoes, driver.Work.Mismatch);
                }) { Name = $"pingpong-{at}", IsBackground = true };
                threads[i].Start();
            }
            foreach (var t in threads)
            {
                t.Join();
            }
        }
        finally
        {
            foreach (var e in echoes)
            {
                e?.Dispose();
            }
            foreach (var d in devices)
            {
                d?.Dispose();
            }
        }
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Null(results[i].Mismatch);
            Assert.True(results[i].Echoes == Count, $"{model}: vif {i} stalled after {results[i].Echoes} of {Count} round trips");
        }
    }

    private static List<string> ThreadNames()
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
                // the thread ended meanwhile
            }
        }
        return names;
    }
}
