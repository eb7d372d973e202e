using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// Each way guest TX reaches the TAP (vifspec <c>tx-copy=</c>, the operator's key, set here by a root
/// frontend): traffic flows both ways through a real TAP, the daemon's connect line and
/// <c>netbackctl show</c> name the mode, and <c>map</c> counts one page mapping per guest-TX slot.
/// </summary>
public sealed class TxCopyModeTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Theory(Timeout = IntegrationTest.TimeoutMs)]
    [InlineData("direct")]
    [InlineData("bounce")]
    [InlineData("map")]
    public async Task Traffic_flows_both_ways_in_each_tx_copy_mode(string mode)
    {
        Testbed bed = await CreateTestbedAsync(iperf3: true);
        string net = bed.Subnet(0);
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);

        Frontend front = await bed.AttachAsync(bed.Guests[0], $"{net}.2/24", Ct, "--vif", $"tx-copy={mode}");
        string connected = await daemon.WaitForLineAsync(l => l.Contains($"{front.Vif} connected", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
        Assert.Contains($"tx-copy {mode}", connected, StringComparison.Ordinal);

        await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);
        await bed.PingAsync(bed.Guests[0], $"{net}.1", Ct);
        await bed.PingAsync(bed.Host, $"{net}.2", Ct);
        // Guest TX at TCP's pace (64 KiB GSO frames): the figure is reported, not judged (shared CI machines).
        Iperf.Figures up = await Iperf.RunAsync(bed, bed.Guests[0], $"{net}.1", reverse: false, Ct);
        Output.WriteLine($"iperf3 TCP guest->host with tx-copy={mode}: {up.Gbps} Gbit/s ({up.Bytes:0} bytes received)");
        Assert.True(up.Bytes > 0, $"iperf3 moved nothing with tx-copy={mode}");

        ProcessResult r = await ChildProcess.RunAsync(Binaries.Netbackctl, ["--admin-socket", bed.AdminSocketPath, "show", front.Vif, "--json"],
            TimeSpan.FromSeconds(20), Ct);
        Assert.True(r.ExitCode == 0, $"netbackctl show failed\n{r}");
        Output.WriteLine(r.Stdout);
        using var json = System.Text.Json.JsonDocument.Parse(r.Stdout);
        var root = json.RootElement;
        Assert.Equal(mode, root.GetProperty("summary").GetProperty("tx-copy").GetString());
        var stats = root.GetProperty("queues")[0].GetProperty("stats");
        long packets = stats.GetProperty("tx-packets").GetInt64();
        long maps = stats.GetProperty("tx-maps").GetInt64();
        Assert.True(packets > 0, "no guest TX packet was counted");
        if (mode == "map")
        {
            Assert.True(maps >= packets, $"{maps} pages mapped for {packets} guest-TX packets");
            Assert.InRange(stats.GetProperty("tx-unmaps").GetInt64(), 1, maps);
        }
        else
        {
            Assert.Equal(0, maps);
        }
    }
}
