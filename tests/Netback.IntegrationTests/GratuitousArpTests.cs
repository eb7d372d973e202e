using System.Globalization;
using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// After a reconnect netfront announces the guest's addresses, as xen-netfront does on resume
/// (a gratuitous ARP; an unsolicited NA for IPv6): the bridge, which forgot the guest's MAC when the
/// old vif left it, learns it on the new port at once, not when the guest next happens to send.
/// </summary>
public sealed class GratuitousArpTests(ITestOutputHelper output) : IntegrationTest(output)
{
    private const string Bridge = "nbbr0";

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task After_a_reconnect_the_bridge_relearns_the_guest_mac_within_100_ms()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];
        await bed.Host.IpAsync(Ct, "link", "add", Bridge, "type", "bridge");
        await bed.Host.IpAsync(Ct, "addr", "add", $"{net}.1/24", "dev", Bridge);
        await bed.Host.IpAsync(Ct, "link", "set", Bridge, "up");
        // No IPv6 in the guest: its DAD and router solicitations would teach the bridge the MAC too.
        foreach (string scope in new[] { "all", "default" })
        {
            ProcessResult r = await guest.RunAsync(TimeSpan.FromSeconds(10), Ct, "sysctl", "-w", $"net.ipv6.conf.{scope}.disable_ipv6=1");
            Assert.True(r.ExitCode == 0, r.ToString());
        }

        ChildProcess daemon = await bed.StartDaemonAsync(Ct);
        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct, "--vif", $"bridge={Bridge}", "--queues", "1");
        string mac = front.Negotiated("mac") ?? throw new InvalidOperationException($"no mac in '{front.AttachedLine}'");
        await bed.PingAsync(guest, $"{net}.1", Ct);
        Assert.True(await FdbHasAsync(bed, mac), $"{Bridge} never learnt {mac}");

        daemon.SendSignal(Signals.SIGTERM);
        Assert.True(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10), Ct), $"netbackd did not exit\n{daemon.Describe()}");
        Assert.False(await FdbHasAsync(bed, mac), $"{Bridge} still has {mac} with its port gone");

        // The bridge's FDB events from the host namespace, each with the time it was heard: the new
        // vif's port joining (its own MAC, permanent) and the guest's MAC learnt on it.
        ChildProcess monitor = bed.Track(bed.Host.Start("bridge monitor fdb", "bridge", "-timestamp", "monitor", "fdb"));
        await Task.Delay(300, Ct);
        ChildProcess restarted = await bed.StartDaemonAsync(Ct);
        await front.Process.WaitForLineAsync(l => l.StartsWith($"reconnected {front.Vif} ", StringComparison.Ordinal), TimeSpan.FromSeconds(20), Ct);
        await monitor.WaitForLineAsync(l => l.StartsWith($"{mac} dev {front.Vif} master {Bridge}", StringComparison.Ordinal), TimeSpan.FromSeconds(5), Ct);
        TimeSpan learnt = EventTime(monitor.Stdout, $"{mac} dev {front.Vif} master {Bridge}");
        TimeSpan joined = EventTime(monitor.Stdout, $"dev {front.Vif} master {Bridge} permanent");
        // The reconnect: the new daemon's "vif1.0 connected" line, logged once Connected is sent ("[HH:mm:ss.fff INF] …", local time).
        string connectedLine = await restarted.WaitForLineAsync(l => l.Contains($"] {front.Vif} connected: ", StringComparison.Ordinal), TimeSpan.FromSeconds(5), Ct);
        TimeSpan connected = TimeSpan.ParseExact(connectedLine[1..13], @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
        TimeSpan afterConnected = Modulo(learnt - connected);
        Output.WriteLine($"{Bridge}: {front.Vif} joined at {joined:hh\\:mm\\:ss\\.ffffff}, Connected sent at {connected:hh\\:mm\\:ss\\.fff}, "
            + $"{mac} learnt on it at {learnt:hh\\:mm\\:ss\\.ffffff}: {afterConnected.TotalMilliseconds:0.0} ms after the reconnect, {Modulo(learnt - joined).TotalMilliseconds:0.0} ms after the port joined");
        Assert.True(afterConnected < TimeSpan.FromMilliseconds(100), $"{Bridge} learnt {mac} only {afterConnected.TotalMilliseconds:0} ms after the reconnect\n{restarted.Describe()}");
        string fdb = (await bed.Host.RunAsync(TimeSpan.FromSeconds(10), Ct, "bridge", "fdb", "show", "br", Bridge)).Stdout;
        Assert.Contains($"{mac} dev {front.Vif} master {Bridge}", fdb, StringComparison.Ordinal);
        await bed.PingAsync(guest, $"{net}.1", Ct);
    }

    /// <summary>
    /// The local time of day of the last event line starting with (or, for a permanent entry,
    /// ending with) <paramref name="match"/>, from the "Timestamp: Mon Nov 30 00:30:48 2026 710834 usec"
    /// line before it.
    /// </summary>
    private static TimeSpan EventTime(string output, string match)
    {
        string[] lines = output.Split('\n');
        int i = Array.FindLastIndex(lines, l => (l.StartsWith(match, StringComparison.Ordinal) || l.EndsWith(match, StringComparison.Ordinal)) && !l.StartsWith("Deleted", StringComparison.Ordinal));
        Assert.True(i > 0 && lines[i - 1].StartsWith("Timestamp: ", StringComparison.Ordinal), $"no timed event '{match}' in\n{output}");
        string[] w = lines[i - 1].Split(' ', StringSplitOptions.RemoveEmptyEntries); // Timestamp: Mon Nov 30 00:30:48 2026 710834 usec
        return TimeSpan.ParseExact(w[4], @"hh\:mm\:ss", CultureInfo.InvariantCulture)
            + TimeSpan.FromMicroseconds(long.Parse(w[6], CultureInfo.InvariantCulture));
    }

    /// <summary>A difference of times of day across midnight (a learnt at 00:00:00.010, connected at 23:59:59.990: 20 ms).</summary>
    private static TimeSpan Modulo(TimeSpan t) => t < -TimeSpan.FromHours(12) ? t + TimeSpan.FromDays(1) : t;

    private static async Task<bool> FdbHasAsync(Testbed bed, string mac)
    {
        ProcessResult r = await bed.Host.RunAsync(TimeSpan.FromSeconds(10), Ct, "bridge", "fdb", "show", "br", Bridge);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout.Split('\n').Any(l => l.StartsWith(mac + " ", StringComparison.Ordinal) && !l.Contains("permanent", StringComparison.Ordinal));
    }
}
