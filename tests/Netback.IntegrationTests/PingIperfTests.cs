using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>The main job: a guest namespace talks to the host side through vif1.0, both ways.</summary>
public sealed class PingIperfTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Ping_and_iperf3_both_ways_through_the_vif()
    {
        Testbed bed = await CreateTestbedAsync(iperf3: true);
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];

        await bed.StartDaemonAsync(Ct);
        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct);
        Assert.Equal("vif1.0", front.Vif);
        await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);

        await bed.PingAsync(guest, $"{net}.1", Ct);

        Iperf.Figures up = await Iperf.RunAsync(bed, guest, $"{net}.1", reverse: false, Ct);
        Output.WriteLine($"iperf3 TCP guest->host: {up.Gbps} Gbit/s ({up.Bytes:0} bytes received)");
        Iperf.Figures down = await Iperf.RunAsync(bed, guest, $"{net}.1", reverse: true, Ct);
        Output.WriteLine($"iperf3 TCP host->guest: {down.Gbps} Gbit/s ({down.Bytes:0} bytes received)");
    }
}
