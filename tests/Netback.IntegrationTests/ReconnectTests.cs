using System.Diagnostics;
using System.Globalization;
using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// A daemon restart (systemctl restart: SIGTERM, then a new netbackd): netfront keeps its guest TAP,
/// reconnects with backoff asking for the same vif, re-negotiates, and traffic resumes on its own
/// because the new vif joins the same bridge (vifspec <c>bridge=</c>, as Xen's vif-bridge script).
/// </summary>
public sealed class ReconnectTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task After_a_daemon_restart_netfront_reconnects_and_traffic_resumes()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];
        const string Bridge = "nbbr0";
        await bed.Host.IpAsync(Ct, "link", "add", Bridge, "type", "bridge");
        await bed.Host.IpAsync(Ct, "addr", "add", $"{net}.1/24", "dev", Bridge);
        await bed.Host.IpAsync(Ct, "link", "set", Bridge, "up");

        ChildProcess daemon = await bed.StartDaemonAsync(Ct);
        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct, "--vif", $"bridge={Bridge}", "--queues", "1");
        await bed.PingAsync(guest, $"{net}.1", Ct);

        // Pings every 20 ms with timestamps; the outage is the longest gap between two replies.
        ChildProcess ping = bed.Track(guest.Start("ping", "ping", "-D", "-n", "-i", "0.02", "-W", "1", $"{net}.1"));
        await ping.WaitForLineAsync(l => l.Contains("bytes from", StringComparison.Ordinal), TimeSpan.FromSeconds(5), Ct);

        var clock = Stopwatch.StartNew();
        daemon.SendSignal(Signals.SIGTERM);
        Assert.True(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(5), Ct), $"netbackd did not exit\n{daemon.Describe()}");
        var stopped = clock.Elapsed;
        await bed.StartDaemonAsync(Ct);
        var listening = clock.Elapsed;
        string line = await front.Process.WaitForLineAsync(l => l.StartsWith("reconnected ", StringComparison.Ordinal), TimeSpan.FromSeconds(20), Ct);
        var reconnected = clock.Elapsed;
        Assert.StartsWith($"reconnected {front.Vif} ", line, StringComparison.Ordinal); // the same vif again
        await bed.PingAsync(guest, $"{net}.1", Ct);
        await Task.Delay(300, Ct);
        ping.SendSignal(2); // SIGINT: ping prints its summary and exits
        await ping.WaitForExitAsync(TimeSpan.FromSeconds(5), Ct);

        double outage = LongestGapSeconds(ping.Stdout);
        Output.WriteLine($"restart: old netbackd gone after {stopped.TotalMilliseconds:0} ms, new one listening at {listening.TotalMilliseconds:0} ms, " +
            $"netfront '{line}' at {reconnected.TotalMilliseconds:0} ms; traffic outage (longest gap between ping replies, 20 ms interval) {outage * 1000:0} ms");
        Assert.False(front.Process.HasExited, $"netfront exited instead of reconnecting\n{front.Process.Describe()}");
        // The outage is the daemon's own restart (process start, .NET runtime) plus the reconnect backoff.
        Assert.InRange(outage, 0.0, 15.0);
        Assert.True(reconnected - listening < TimeSpan.FromSeconds(2), "netfront took longer than its longest backoff to reconnect");
    }

    /// <summary>The longest time between consecutive replies in <c>ping -D</c> output ("[epoch.micros] 64 bytes from …").</summary>
    private static double LongestGapSeconds(string pingOutput)
    {
        double? last = null;
        double longest = 0;
        foreach (string l in pingOutput.Split('\n'))
        {
            if (!l.StartsWith('[') || !l.Contains("bytes from", StringComparison.Ordinal))
            {
                continue;
            }
            double t = double.Parse(l[1..l.IndexOf(']', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            if (last is { } previous)
            {
                longest = Math.Max(longest, t - previous);
            }
            last = t;
        }
        Assert.True(last is not null, $"no ping replies at all:\n{pingOutput}");
        return longest;
    }
}
