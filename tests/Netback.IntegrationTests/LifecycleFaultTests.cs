using System.Diagnostics;
using Netback.IntegrationTests.Support;
using Netfront.Client;

namespace Netback.IntegrationTests;

/// <summary>
/// Issue 4's lifecycle faults against the real netbackd: a frontend SIGKILLed under iperf3 load, the
/// daemon SIGTERMed under load, and 1000 connect/attach/disconnect cycles that must leave the daemon's
/// fds, threads, TAPs and RSS where they were. Every figure is written to the test output.
/// </summary>
public sealed class LifecycleFaultTests(ITestOutputHelper output) : IntegrationTest(output)
{
    private const int Cycles = 1000;
    private const int WarmUpCycles = 20;
    private const int FdSlack = 2;
    private const int ThreadSlack = 2; // the runtime's own threads (thread pool, timers) come and go
    private const long RssSlack = 4L << 20; // 4 KiB a cycle: less than one leaked ring page pair
    // The first thousand cycles take RSS to the runtime's working set: 12 MiB on the machines of
    // 2026-11-25, 37.5 MiB on 2026-11-29's (the same commit, 6e1035b, measured on both: GC budgets,
    // allocator caches). One leaked grant area a cycle (at least 1 MiB of posted RX pages) would pass
    // this bound within 64 cycles; the second-thousand bound below is what catches slow leaks.
    private const long FirstThousandRssBound = 64L << 20;

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Frontend_sigkilled_under_iperf3_loses_its_vif_within_1_s()
    {
        Testbed bed = await CreateTestbedAsync(iperf3: true);
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);
        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct);
        await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);
        await Iperf.StartBackgroundAsync(bed, guest, $"{net}.1", Ct);

        front.Process.SendSignal(Signals.SIGKILL);
        var clock = Stopwatch.StartNew();
        bool gone = await bed.Host.WaitForLinkAsync(front.Vif, present: false, TimeSpan.FromSeconds(5), Ct);
        var elapsed = clock.Elapsed;
        Output.WriteLine($"{front.Vif} gone {elapsed.TotalMilliseconds:0} ms after SIGKILL of its netfront under iperf3 (upper bound: ip polled every 50 ms)");
        Assert.True(gone, $"{front.Vif} still exists 5 s after its frontend was killed\n{daemon.Describe()}");
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"{front.Vif} took {elapsed.TotalMilliseconds:0} ms to go, more than 1 s");
        Assert.False(daemon.HasExited, $"netbackd exited\n{daemon.Describe()}");

        Frontend next = await bed.AttachAsync(guest, $"{net}.2/24", Ct);
        await bed.AddHostAddressAsync(next.Vif, $"{net}.1/24", Ct);
        await bed.PingAsync(guest, $"{net}.1", Ct);
    }

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Daemon_sigterm_under_iperf3_tells_netfront_Closing_and_exits_0_within_2_s()
    {
        Testbed bed = await CreateTestbedAsync(iperf3: true);
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);
        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct, "--no-reconnect");
        await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);
        await Iperf.StartBackgroundAsync(bed, guest, $"{net}.1", Ct);

        daemon.SendSignal(Signals.SIGTERM);
        var clock = Stopwatch.StartNew();
        bool exited = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10), Ct);
        var daemonTime = clock.Elapsed;
        bool frontExited = await front.Process.WaitForExitAsync(TimeSpan.FromSeconds(5), Ct);
        var frontTime = clock.Elapsed;
        Output.WriteLine($"under iperf3: netbackd exited {(exited ? daemon.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no")} " +
            $"{daemonTime.TotalMilliseconds:0} ms after SIGTERM; netfront exited {(frontExited ? front.Process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no")} " +
            $"after {frontTime.TotalMilliseconds:0} ms saying: {front.Process.Stderr.Trim()}");
        Assert.True(exited, $"netbackd still runs 10 s after SIGTERM\n{daemon.Describe()}");
        Assert.True(daemon.ExitCode == 0, $"netbackd exited {daemon.ExitCode} after SIGTERM\n{daemon.Describe()}");
        Assert.True(daemonTime < TimeSpan.FromSeconds(2), $"netbackd took {daemonTime.TotalMilliseconds:0} ms to exit, more than 2 s\n{daemon.Describe()}");
        Assert.True(frontExited, $"netfront still runs 5 s after the backend closed\n{front.Process.Describe()}");
        Assert.Contains("clos", front.Process.Stderr, StringComparison.OrdinalIgnoreCase); // the backend's Closing reason
        Assert.False(await bed.Host.LinkExistsAsync(front.Vif, Ct), $"{front.Vif} is left after netbackd exited");
    }

    [Fact(Timeout = 600_000)]
    public async Task Thousand_connect_attach_disconnect_cycles_grow_no_fds_threads_taps_or_rss()
    {
        Testbed bed = await CreateTestbedAsync();
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);
        int pid = daemon.Pid; // ip netns exec execs in place: this is netbackd itself
        var options = new NetfrontOptions { SocketPath = bed.SocketPath, HandshakeTimeout = TimeSpan.FromSeconds(10) };

        Cycle(options, WarmUpCycles); // the runtime keeps what it opens on first use (netlink, sockets engine, JIT)
        using (NetfrontDevice attached = NetfrontDevice.Connect(options))
        {
            // The memfd check below can fail: an attached vif's grant area shows in the daemon's maps.
            int mapped = ProcStats.GrantMappings(pid);
            Assert.True(mapped > 0, $"{attached.VifName} attached but netbackd maps no grant area");
        }
        var before = await SettleAsync(bed, pid, target: null);
        Output.WriteLine($"before {Cycles} cycles (after {WarmUpCycles} warm-up): {before}");

        var clock = Stopwatch.StartNew();
        int maxVifs = Cycle(options, Cycles);
        var elapsed = clock.Elapsed;
        var middle = await SettleAsync(bed, pid, before);
        Output.WriteLine($"after {Cycles} cycles in {elapsed.TotalSeconds:0.0} s ({elapsed.TotalMilliseconds / Cycles:0.0} ms each, " +
            $"highest vif number {maxVifs}): {middle}");
        // RSS rises over the first thousand as the runtime and allocator reach their working set
        // (3000 cycles grow it no more than 1000 do); a leak would keep growing: a later thousand must
        // not. A GC that grows its budget can still add a few MiB once, so a thousand that grew RSS
        // gets one more chance; a leak of 4 KiB a cycle or more fails both.
        var after = middle;
        var growths = new List<double>();
        for (int phase = 0; phase < 2; phase++)
        {
            var previous = after;
            maxVifs = Math.Max(maxVifs, Cycle(options, Cycles));
            after = await SettleAsync(bed, pid, before);
            Output.WriteLine($"after another {Cycles} cycles: {after}");
            growths.Add((after.RssBytes - previous.RssBytes) / 1048576.0);
            if (after.RssBytes - previous.RssBytes < RssSlack)
            {
                break;
            }
        }

        Assert.False(daemon.HasExited, $"netbackd exited\n{daemon.Describe()}");
        Assert.True(after.Fds <= before.Fds + FdSlack, $"netbackd fds: {before.Fds} before, {after.Fds} after\n{ProcStats.DescribeFds(pid)}");
        Assert.True(after.Threads <= before.Threads + ThreadSlack, $"netbackd threads: {before.Threads} before, {after.Threads} after\n{ProcStats.DescribeThreads(pid)}");
        Assert.Equal(0, after.Taps);
        Assert.True(after.GrantMappings == 0, $"netbackd still maps {after.GrantMappings} grant area(s) with no vif attached");
        Assert.True(growths[^1] * 1048576.0 < RssSlack,
            $"netbackd RSS kept growing after the first {Cycles} cycles: " +
            $"{string.Join(", then ", growths.Select(g => $"{g:0.0} MiB"))} over each further {Cycles} " +
            $"({(middle.RssBytes - before.RssBytes) / 1048576.0:0.0} MiB over the first)");
        Assert.True(middle.RssBytes - before.RssBytes < FirstThousandRssBound,
            $"netbackd RSS grew {(middle.RssBytes - before.RssBytes) / 1048576.0:0.0} MiB over the first {Cycles} cycles");
    }

    /// <summary>Connects (the daemon creates a real TAP and workers), checks the vif, disconnects; returns the highest domid seen.</summary>
    private static int Cycle(NetfrontOptions options, int count)
    {
        int highest = 0;
        for (int i = 0; i < count; i++)
        {
            using var device = NetfrontDevice.Connect(options);
            Assert.StartsWith("vif", device.VifName, StringComparison.Ordinal);
            Assert.False(device.IsBackendClosed, device.BackendCloseReason);
            highest = Math.Max(highest, device.DomId);
        }
        return highest;
    }

    private sealed record DaemonFigures(int Fds, int Threads, long RssBytes, int Taps, int GrantMappings)
    {
        public override string ToString() =>
            $"{Fds} fds, {Threads} threads, RSS {RssBytes / 1048576.0:0.0} MiB, {Taps} vif TAPs, {GrantMappings} grant-area mappings";
    }

    /// <summary>
    /// Reads the daemon's figures until they reach <paramref name="target"/> (or, without one, stop
    /// changing) for up to 10 s: sessions end their workers and close their fds asynchronously.
    /// </summary>
    private static async Task<DaemonFigures> SettleAsync(Testbed bed, int pid, DaemonFigures? target)
    {
        var clock = Stopwatch.StartNew();
        DaemonFigures last = await ReadAsync(bed, pid);
        int stable = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(200, Ct);
            DaemonFigures now = await ReadAsync(bed, pid);
            stable = (now.Fds, now.Threads, now.Taps) == (last.Fds, last.Threads, last.Taps) ? stable + 1 : 0;
            last = now;
            bool reached = target is not null && now.Taps == 0 && now.GrantMappings == 0 && now.Fds <= target.Fds && now.Threads <= target.Threads + ThreadSlack;
            if (reached || (target is null && stable >= 5))
            {
                break;
            }
        }
        return last;
    }

    private static async Task<DaemonFigures> ReadAsync(Testbed bed, int pid)
    {
        ProcessResult links = await bed.Host.IpAsync(Ct, "-o", "link", "show");
        int taps = links.Stdout.Split('\n').Count(l => l.Contains(": vif", StringComparison.Ordinal));
        return new DaemonFigures(ProcStats.Fds(pid), ProcStats.Threads(pid), ProcStats.RssBytes(pid), taps, ProcStats.GrantMappings(pid));
    }
}
