using System.Diagnostics;
using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>Attach/detach cycles leave the daemon as they found it: no fd, thread or TAP accumulates.</summary>
public sealed class TeardownTests(ITestOutputHelper output) : IntegrationTest(output)
{
    private const int Cycles = 5;
    private const int ThreadSlack = 2; // the runtime's own threads (thread pool, timers) come and go

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Five_attach_detach_cycles_return_the_daemon_to_its_fd_and_thread_baseline()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);
        int pid = daemon.Pid; // ip netns exec execs in place: this is netbackd itself

        // Warm-up: the first attach makes the runtime open what it keeps (sockets engine, netlink, logging).
        await CycleAsync(bed, guest, net);
        var (fds0, threads0) = await SettleAsync(pid, fds: null, threads: null);
        string fdsBefore = ProcStats.DescribeFds(pid);
        string threadsBefore = ProcStats.DescribeThreads(pid);
        Output.WriteLine($"baseline after start and one warm-up attach/detach: {fds0} fds, {threads0} threads");

        for (int i = 0; i < Cycles; i++)
        {
            int during = await CycleAsync(bed, guest, net);
            Output.WriteLine($"cycle {i + 1}: {during} fds while attached");
        }

        var (fds, threads) = await SettleAsync(pid, fds0, threads0);
        Output.WriteLine($"after {Cycles} cycles: {fds} fds, {threads} threads");
        Assert.False(daemon.HasExited, $"netbackd exited\n{daemon.Describe()}");
        Assert.True(fds == fds0,
            $"netbackd holds {fds} fds after {Cycles} attach/detach cycles, {fds0} before\nbefore: {fdsBefore}\nafter: {ProcStats.DescribeFds(pid)}");
        Assert.True(Math.Abs(threads - threads0) <= ThreadSlack,
            $"netbackd has {threads} threads after {Cycles} cycles, {threads0} before\nbefore: {threadsBefore}\nafter: {ProcStats.DescribeThreads(pid)}");
        ProcessResult links = await bed.Host.IpAsync(Ct, "-o", "link", "show");
        Assert.DoesNotContain("vif", links.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Attach, check the vif carries traffic, SIGTERM netfront, wait for the vif to go; returns the daemon's fds while attached.</summary>
    private static async Task<int> CycleAsync(Testbed bed, NetNamespace guest, string net)
    {
        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct);
        await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);
        await bed.PingAsync(guest, $"{net}.1", Ct);
        int during = ProcStats.Fds(bed.Daemon!.Pid);

        front.Process.SendSignal(Signals.SIGTERM);
        Assert.True(await front.Process.WaitForExitAsync(TimeSpan.FromSeconds(10), Ct), $"netfront ignored SIGTERM\n{front.Process.Describe()}");
        Assert.True(front.Process.ExitCode == 0, $"netfront exited {front.Process.ExitCode} on SIGTERM\n{front.Process.Describe()}");
        Assert.True(await bed.Host.WaitForLinkAsync(front.Vif, present: false, TimeSpan.FromSeconds(5), Ct),
            $"{front.Vif} still exists 5 s after its frontend detached");
        Assert.True(await guest.WaitForLinkAsync("eth0", present: false, TimeSpan.FromSeconds(5), Ct),
            $"the guest's eth0 still exists 5 s after netfront exited");
        return during;
    }

    /// <summary>
    /// Reads the counts until they reach the target (or, without one, stop changing) for up to 10 s:
    /// the daemon closes a session's fds and ends its workers asynchronously after the TAP is gone.
    /// </summary>
    private static async Task<(int Fds, int Threads)> SettleAsync(int pid, int? fds, int? threads)
    {
        var clock = Stopwatch.StartNew();
        (int, int) last = (ProcStats.Fds(pid), ProcStats.Threads(pid));
        int stable = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100, Ct);
            (int f, int t) now = (ProcStats.Fds(pid), ProcStats.Threads(pid));
            bool reached = fds is { } wantF && threads is { } wantT && now.f == wantF && Math.Abs(now.t - wantT) <= ThreadSlack;
            stable = now == last ? stable + 1 : 0;
            last = now;
            if (reached || (fds is null && stable >= 10))
            {
                break;
            }
        }
        return last;
    }
}
