using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// The main job: a guest namespace talks to the host side through vif1.0, both ways, under each
/// thread model of the backend (Netback:Threads) and of netfront (--threads).
/// </summary>
public sealed class PingIperfTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Theory(Timeout = IntegrationTest.TimeoutMs)]
    [InlineData("per-queue", "single", "per-queue")]
    [InlineData("pool:2", "single", "pool:2 (worker 0)")]
    [InlineData("split", "split", "split")]
    public async Task Ping_and_iperf3_both_ways_through_the_vif(string backendThreads, string frontendThreads, string said)
    {
        Testbed bed = await CreateTestbedAsync(iperf3: true);
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];

        ChildProcess daemon = await bed.StartDaemonAsync(Ct, "--Netback:Threads", backendThreads);
        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct, "--threads", frontendThreads);
        Assert.Equal("vif1.0", front.Vif);
        await daemon.WaitForLineAsync(l => l.Contains("vif1.0 connected", StringComparison.Ordinal) && l.Contains($"threads {said},", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), Ct);
        await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);

        await bed.PingAsync(guest, $"{net}.1", Ct);

        Iperf.Figures up = await Iperf.RunAsync(bed, guest, $"{net}.1", reverse: false, Ct);
        Output.WriteLine($"{backendThreads}/{frontendThreads}: iperf3 TCP guest->host: {up.Gbps} Gbit/s ({up.Bytes:0} bytes received)");
        Iperf.Figures down = await Iperf.RunAsync(bed, guest, $"{net}.1", reverse: true, Ct);
        Output.WriteLine($"{backendThreads}/{frontendThreads}: iperf3 TCP host->guest: {down.Gbps} Gbit/s ({down.Bytes:0} bytes received)");
    }
}
