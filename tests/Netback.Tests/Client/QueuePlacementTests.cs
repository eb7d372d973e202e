using Netback.Tests.Daemon.DataPath;
using Netback.Tests.Support;
using Netfront.Client;
using Ring.Shared.Control;
using Ring.Shared.Topology;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Client;

/// <summary>
/// NetfrontOptions.Cpus: each queue's driver thread is pinned to the list's (i mod n)-th CPU and the
/// list is advertised as frontend-cpus; a bad list fails Connect before anything is sent.
/// </summary>
public sealed class QueuePlacementTests
{
    /// <summary>Cpus_allowed_list of this process's thread named <paramref name="name"/>, or null.</summary>
    private static string? AllowedList(string name)
    {
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name)
                {
                    return File.ReadLines(Path.Combine(task, "status"))
                        .First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))["Cpus_allowed_list:".Length..].Trim();
                }
            }
            catch (IOException)
            {
            }
        }
        return null;
    }

    [Fact]
    public async Task Each_driver_thread_runs_on_its_cpu_and_the_list_is_advertised()
    {
        var online = CpuTopology.Machine.Online;
        if (!online.Contains(0) || !online.Contains(1))
        {
            Assert.Skip($"needs CPUs 0 and 1 online (online: {online})");
        }
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions
        {
            SocketPath = backend.SocketPath, HandshakeTimeout = Patience, Queues = 2, Cpus = "1,0",
        });
        Assert.Equal([0, 1], device.Queues.Select(q => q.Cpu ?? -1));
        var drivers = device.Queues.Select(q =>
        {
            var d = new NetfrontQueueDriver<TimedFloodWork>(q, new TimedFloodWork(Frame(60, 1)), threadName: $"nfpin-{Environment.ProcessId % 1000}-q{q.Index}");
            d.Work.For(TimeSpan.FromSeconds(30));
            return d;
        }).ToArray();
        try
        {
            foreach (var d in drivers)
            {
                d.Start();
            }
            for (int q = 0; q < 2; q++)
            {
                string? mask = null;
                Assert.True(Eventually(() => (mask = AllowedList(drivers[q].ThreadName)) == q.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    $"{drivers[q].ThreadName}: Cpus_allowed_list {mask ?? "(no such thread)"}, want {q}");
            }
        }
        finally
        {
            foreach (var d in drivers)
            {
                d.Dispose();
            }
        }
        var frontend = backend.Registry.Snapshot().Single().Negotiation!.Frontend;
        Assert.Equal("0-1", frontend.Single(e => e.Key == XenbusKeys.FrontendCpus).Value);
        Assert.Equal("0", frontend.Single(e => e.Key == XenbusKeys.FrontendNode).Value);
    }

    [Theory]
    [InlineData("1-0")]
    [InlineData("x")]
    [InlineData("4095")]
    public async Task A_bad_cpu_list_fails_connect_naming_it(string cpus)
    {
        await using var backend = new InProcessBackend();
        var e = Assert.Throws<NetfrontException>(() => NetfrontDevice.Connect(new NetfrontOptions
        {
            SocketPath = backend.SocketPath, HandshakeTimeout = Patience, Cpus = cpus,
        }));
        Assert.Contains($"Cpus '{cpus}'", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, backend.Registry.Count);
    }
}
