using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// docs/protocol.md is enough to write a frontend: tests/c/netfront-min.c, a frontend in C written
/// from the document with Xen's own netif.h and ring.h (libxen-dev), is compiled here and run against
/// the real daemon. It connects (one or more queues, split or single event channels, a multi-page
/// ring), ARPs for the host side of its vif and pings it over the rings, then leaves with State(5).
/// </summary>
public sealed class CFrontendTests(ITestOutputHelper output) : IntegrationTest(output)
{
    private const string Header = "/usr/include/xen/io/netif.h";

    [Theory(Timeout = IntegrationTest.TimeoutMs)]
    [InlineData(1, "split", 0)]
    [InlineData(2, "single", 0)]
    [InlineData(3, "split", 2)]
    public async Task A_C_frontend_written_from_the_protocol_doc_ARPs_and_pings_the_host(int queues, string mode, int order)
    {
        string? gcc = Requirements.FindOnPath("gcc");
        if (gcc is null)
        {
            Assert.Skip("gcc is not installed (apt-get install gcc)");
        }
        if (!File.Exists(Header))
        {
            Assert.Skip($"{Header} is missing (apt-get install libxen-dev)");
        }
        Testbed bed = await CreateTestbedAsync(guests: 0);
        string program = Path.Combine(bed.TempDir, "netfront-min");
        ProcessResult build = await ChildProcess.RunAsync(gcc,
            ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-o", program, Source()], TimeSpan.FromSeconds(60), Ct);
        Assert.True(build.ExitCode == 0, $"gcc failed\n{build}");

        ChildProcess daemon = await bed.StartDaemonAsync(Ct, "--Netback:MaxQueues", "4");
        string net = bed.Subnet(0);
        ChildProcess frontend = bed.Track(ChildProcess.Start("netfront-min", program,
            [bed.SocketPath, $"{queues}", mode, $"{order}", $"{net}.2", $"{net}.1"]));
        string connected = await frontend.WaitForLineAsync(l => l.StartsWith("connected ", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
        Output.WriteLine(connected);
        string vif = connected.Split(' ')[1];
        await bed.AddHostAddressAsync(vif, $"{net}.1/24", Ct);

        Assert.True(await frontend.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct), $"netfront-min did not finish\n{frontend.Describe()}");
        Assert.True(frontend.ExitCode == 0, $"netfront-min failed\n{frontend.Describe()}");
        Assert.Contains("arp-reply fe:ff:ff:ff:ff:ff", frontend.Stdout, StringComparison.Ordinal);
        Assert.Contains("echo-reply", frontend.Stdout, StringComparison.Ordinal);
        Assert.Contains("closed", frontend.Stdout, StringComparison.Ordinal);
        string line = await daemon.WaitForLineAsync(l => l.Contains($"{vif} connected", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
        Assert.Contains($"{queues} queue(s), ring-page-order {order}", line, StringComparison.Ordinal);
        Assert.Contains($"{mode} event channels", line, StringComparison.Ordinal);
        await daemon.WaitForLineAsync(l => l.Contains($"{vif} disconnected (frontend is Closing)", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
    }

    /// <summary>tests/c/netfront-min.c, found from the test's folder (the repository holds Netback.sln at its root).</summary>
    private static string Source()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Netback.sln")))
            {
                return Path.Combine(d.FullName, "tests", "c", "netfront-min.c");
            }
        }
        throw new InvalidOperationException("Netback.sln not found above " + AppContext.BaseDirectory);
    }
}
