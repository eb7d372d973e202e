using System.Globalization;
using System.Text.Json;
using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// Guest-TX policy on a real vif: <c>ip=</c> anti-spoofing against the guest kernel's own traffic,
/// and <c>rate=</c> measured by iperf3 (guest → host), changed live with <c>netbackctl</c>.
/// </summary>
public sealed class RateAndSpoofTests(ITestOutputHelper output) : IntegrationTest(output)
{
    private const double Tolerance = 0.10;

    [Fact(Timeout = 150_000)]
    public async Task Rate_is_met_within_ten_percent_and_follows_netbackctl_and_spoofed_sources_are_dropped()
    {
        Testbed bed = await CreateTestbedAsync(iperf3: true);
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];

        await bed.StartDaemonAsync(Ct);
        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct, "--vif", $"ip={net}.2,rate=10Mb/s");
        await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);
        await bed.PingAsync(guest, $"{net}.1", Ct);

        // Anti-spoofing: a second address in the guest is not in ip=, so nothing from it gets out.
        await guest.IpAsync(Ct, "addr", "add", $"{net}.3/24", "dev", "eth0");
        ProcessResult spoofed = await guest.RunAsync(TimeSpan.FromSeconds(20), Ct, "ping", "-c", "2", "-W", "1", "-I", $"{net}.3", $"{net}.1");
        Assert.True(spoofed.ExitCode != 0, $"ping from {net}.3 (not in ip=) got through\n{spoofed}");
        string list = await CtlAsync(bed, "list");
        long spoofDrops = long.Parse(Column(list, front.Vif, "SPOOFED"), CultureInfo.InvariantCulture);
        Output.WriteLine($"after the spoofed ping: spoof drops {spoofDrops}");
        Assert.True(spoofDrops >= 2, $"no spoof drops counted\n{list}");

        double at10 = await MeasureAsync(bed, guest, $"{net}.1", "rate=10Mb/s (vifspec)");
        AssertWithin(at10, 10e6);

        await CtlAsync(bed, "set", front.Vif, "rate=none");
        double unlimited = await MeasureAsync(bed, guest, $"{net}.1", "rate=none (live)");
        Assert.True(unlimited > 10e6 * (1 + Tolerance), $"rate=none did not lift the limit: {unlimited / 1e6:0.0} Mbit/s");

        await CtlAsync(bed, "set", front.Vif, "rate=10Mb/s@20ms");
        double back = await MeasureAsync(bed, guest, $"{net}.1", "rate=10Mb/s@20ms (live)");
        AssertWithin(back, 10e6);

        // 500 Mbit/s needs a path that carries clearly more; on a loaded small machine check the highest
        // round rate it can carry instead, and say so (bench/faults.sh measures 500 Mbit/s on an idle one).
        // Every assertion above has run either way: the test passes on what it checked, never skips.
        bool can500 = unlimited >= 500e6 * (1 + 2 * Tolerance);
        double high = can500 ? 500e6 : Math.Floor(unlimited * 0.6 / 50e6) * 50e6;
        if (high >= 50e6)
        {
            string rate = $"rate={high / 1e6:0}Mb/s";
            await CtlAsync(bed, "set", front.Vif, rate);
            Assert.Contains($"{high / 1e6:0}Mb/s@50ms", Row(await CtlAsync(bed, "list"), front.Vif));
            double measured = await MeasureAsync(bed, guest, $"{net}.1", rate + " (live)");
            AssertWithin(measured, high);
        }
        if (!can500)
        {
            Output.WriteLine($"10 Mbit/s checked ({at10 / 1e6:0.00}, {back / 1e6:0.00} Mbit/s){(high >= 50e6 ? $" and {high / 1e6:0} Mbit/s" : "")}; " +
                $"this machine carries only {unlimited / 1e6:0} Mbit/s unlimited, too little to check rate=500Mb/s");
        }
    }

    private static void AssertWithin(double measured, double configured) =>
        Assert.True(Math.Abs(measured / configured - 1) <= Tolerance,
            $"iperf3 measured {measured / 1e6:0.00} Mbit/s for a rate of {configured / 1e6:0} Mbit/s (allowed ±{Tolerance:P0})");

    /// <summary>iperf3 TCP guest → host for 5 s after a 1 s warm-up (-O 1, excluded from the figure); bits/s received.</summary>
    private async Task<double> MeasureAsync(Testbed bed, NetNamespace guest, string server, string label)
    {
        int port = Random.Shared.Next(20000, 60000);
        string p = port.ToString(CultureInfo.InvariantCulture);
        ChildProcess iperfServer = bed.Track(bed.Host.Start($"iperf3 server ({label})", "iperf3", "-s", "-1", "-B", server, "-p", p, "--forceflush"));
        await iperfServer.WaitForLineAsync(l => l.Contains("Server listening", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
        ProcessResult r = await guest.RunAsync(TimeSpan.FromSeconds(30), Ct, "iperf3", "-c", server, "-p", p, "-t", "5", "-O", "1", "-J");
        Assert.True(r.ExitCode == 0, $"iperf3 client failed\n{r}");
        Assert.True(await iperfServer.WaitForExitAsync(TimeSpan.FromSeconds(10), Ct), $"iperf3 -s -1 did not exit\n{iperfServer.Describe()}");
        using JsonDocument json = JsonDocument.Parse(r.Stdout);
        double bps = json.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        Output.WriteLine($"iperf3 guest->host with {label}: {bps / 1e6:0.00} Mbit/s");
        return bps;
    }

    private async Task<string> CtlAsync(Testbed bed, params string[] arguments)
    {
        ProcessResult r = await ChildProcess.RunAsync(Binaries.Netbackctl, ["--admin-socket", bed.AdminSocketPath, .. arguments], TimeSpan.FromSeconds(20), Ct);
        Assert.True(r.ExitCode == 0, $"netbackctl {string.Join(' ', arguments)} failed\n{r}");
        Output.WriteLine($"$ netbackctl {string.Join(' ', arguments)}\n{r.Stdout.TrimEnd()}");
        return r.Stdout;
    }

    /// <summary>
    /// <paramref name="vif"/>'s value in the column headed <paramref name="header"/> of <c>netbackctl
    /// list</c>, found by the header line (the table grows columns; every one before SPOOFED is one word).
    /// </summary>
    private static string Column(string list, string vif, string header)
    {
        string[] headers = list.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int at = Array.IndexOf(headers, header);
        Assert.True(at >= 0, $"no {header} column in netbackctl list:\n{list}");
        return Row(list, vif)[at];
    }

    /// <summary>The columns of <paramref name="vif"/>'s line in <c>netbackctl list</c>.</summary>
    private static string[] Row(string list, string vif) =>
        list.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(w => w.Length > 0 && w[0] == vif)
        ?? throw new Xunit.Sdk.XunitException($"{vif} is not in netbackctl list:\n{list}");
}
