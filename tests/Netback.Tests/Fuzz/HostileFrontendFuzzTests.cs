using System.Diagnostics;
using Netback.Tests.Support;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Fuzz;

/// <summary>
/// Issue 4's fuzz: hostile frontends hammer the real in-process backend through rings and control
/// channel while a healthy vif carries traffic. The backend must not crash, the healthy vif must lose
/// nothing it accepted, and fds, threads and memory must return to where they were.
/// NETBACK_FUZZ_SECONDS sets the length (bench/fuzz-long.sh runs 600 s), NETBACK_FUZZ_SEED the seed.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class HostileFrontendFuzzTests(ITestOutputHelper output)
{
    private const long ManagedSlack = 16L << 20;
    private const long RssSlack = 64L << 20;
    private const int RuntimeThreadSlack = 12; // the thread pool grows under load and retires threads slowly

    [Fact]
    public async Task Hostile_frontends_never_crash_the_backend_nor_disturb_a_healthy_vif()
    {
        var settings = FuzzSettings.FromEnvironment();
        output.WriteLine($"fuzz seed {settings.Seed} ({FuzzSettings.SeedVariable}), {settings.Duration.TotalSeconds} s ({FuzzSettings.SecondsVariable})");
        var tally = new FuzzTally();

        await using var backend = new InProcessBackend(o => o.HandshakeTimeoutSeconds = 1);
        using var healthy = Healthy(backend);
        var host = backend.Host(healthy.VifName);
        var injector = new HostSideInjector(healthy.VifName, settings.RandomFor(-1));
        backend.Taps.Created += injector.OnCreated;

        // Warm-up, so the baseline includes what the runtime keeps once it has seen each path.
        RunFuzzers(settings with { Duration = TimeSpan.FromSeconds(1) }, backend, injector, new FuzzTally());
        Settle(backend, healthy.VifName, injector);
        var before = ResourceSnapshot.Take();
        string fdsBefore = FdTargets();
        string ownBefore = ResourceSnapshot.OwnThreadNames();
        output.WriteLine($"baseline: {before}");

        var traffic = new HealthyTraffic(healthy, host.Socket);
        traffic.Start();
        var clock = Stopwatch.StartNew();
        RunFuzzers(settings, backend, injector, tally);
        var elapsed = clock.Elapsed;
        var (sent, accepted, received, dropped, errors) = traffic.Finish(Patience);
        tally.Absorb(backend.Logs);

        output.WriteLine(tally.Summary(elapsed, settings.Seed));
        output.WriteLine($"healthy vif: {sent} sent, {accepted} accepted, {received} received, {dropped} dropped (TAP full), {errors} errors, " +
            $"{traffic.OutOfOrder} out of order, {traffic.Corrupt} corrupt; host side: {injector.FramesIn} frames into hostile vifs, {injector.FramesOut} out");
        var healthyQueues = backend.Registry.Snapshot().Single(v => v.Name == healthy.VifName).Queues.Select(q => q.Counters).ToArray();
        long heard = healthyQueues.Sum(c => c.NotificationsReceived), spurious = healthyQueues.Sum(c => c.SpuriousKicks);
        long delayed = healthyQueues.Sum(c => c.KickDelayMs);
        output.WriteLine($"healthy vif's kicks: {heard} heard, {spurious} spurious, {delayed} ms masked by the late-EOI throttle");
        Assert.True(tally.Crashes == 0, "backend crashes:\n" + tally.Details());
        Assert.True(tally.HarnessErrors == 0, "harness errors:\n" + tally.Details());
        Assert.True(traffic.Failure is null, traffic.Failure);
        Assert.True(delayed == 0, $"the healthy vif's kicks were throttled ({spurious} spurious)");
        Assert.True(sent > 0, "the healthy vif sent nothing");
        Assert.Equal(accepted, received);
        Assert.Equal(0, traffic.OutOfOrder);
        Assert.Equal(0, traffic.Corrupt);

        // Still serving: the healthy vif both ways, and a new frontend.
        Settle(backend, healthy.VifName, injector);
        AssertPassesFramesBothWays(backend, healthy, 0x5a);
        using (var next = Healthy(backend))
        {
            AssertPassesFramesBothWays(backend, next, 0x6a);
        }
        Settle(backend, healthy.VifName, injector);
        tally.Absorb(backend.Logs);
        Assert.True(tally.Crashes == 0, "backend crashes:\n" + tally.Details());

        var after = ResourceSnapshot.Take();
        var deadline = DateTime.UtcNow + Patience;
        while ((after.Fds != before.Fds || after.OwnThreads != before.OwnThreads) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100); // sessions end their threads and close their fds asynchronously
            after = ResourceSnapshot.Take();
        }
        output.WriteLine($"after:    {after}");
        Assert.True(after.Fds == before.Fds, $"fds: {before.Fds} before, {after.Fds} after\nbefore: {fdsBefore}\nafter:  {FdTargets()}");
        Assert.True(after.OwnThreads == before.OwnThreads,
            $"non-runtime threads: {before.OwnThreads} before ({ownBefore}), {after.OwnThreads} after ({ResourceSnapshot.OwnThreadNames()})");
        Assert.True(after.Threads <= before.Threads + RuntimeThreadSlack, $"threads: {before.Threads} before, {after.Threads} after");
        Assert.True(after.ManagedBytes - before.ManagedBytes < ManagedSlack, $"managed heap: {before.ManagedBytes} before, {after.ManagedBytes} after");
        Assert.True(after.RssBytes - before.RssBytes < RssSlack, $"RSS: {before.RssBytes} before, {after.RssBytes} after");
    }

    /// <summary>What this process's fds point to, sorted, without the assemblies: for a failure message.</summary>
    private static string FdTargets() =>
        string.Join(", ", Directory.GetFiles("/proc/self/fd")
            .Select(f => { try { return new FileInfo(f).LinkTarget ?? "?"; } catch (IOException) { return "?"; } })
            .Where(t => !t.EndsWith(".dll", StringComparison.Ordinal))
            .GroupBy(t => t.Split(':')[0] == "socket" ? "socket" : t.Split(':')[0] == "anon_inode" ? t : t.StartsWith("/memfd", StringComparison.Ordinal) ? "memfd" : t, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} x{g.Count()}"));

    /// <summary>Runs every fuzzer and the host side on their own threads for the duration.</summary>
    private static void RunFuzzers(FuzzSettings settings, InProcessBackend backend, HostSideInjector injector, FuzzTally tally)
    {
        var end = DateTime.UtcNow + settings.Duration;
        bool Stop() => DateTime.UtcNow >= end;
        var threads = new List<Thread>();
        var controls = new List<ControlFuzzer>();
        for (int i = 0; i < settings.RingFuzzers; i++)
        {
            var fuzzer = new RingFuzzer(backend.SocketPath, settings.RandomFor(i), tally);
            threads.Add(new Thread(() => Guard(tally, "ring fuzzer", () => fuzzer.Run(Stop))) { Name = $"fuzz-ring-{i}" });
        }
        for (int i = 0; i < settings.ControlFuzzers; i++)
        {
            var fuzzer = new ControlFuzzer(backend.SocketPath, settings.RandomFor(100 + i), tally);
            controls.Add(fuzzer);
            threads.Add(new Thread(() => Guard(tally, "control fuzzer", () => fuzzer.Run(Stop))) { Name = $"fuzz-ctl-{i}" });
        }
        threads.Add(new Thread(() => Guard(tally, "host side", () => injector.Run(Stop))) { Name = "fuzz-host" });
        foreach (var t in threads)
        {
            t.Start();
        }
        while (threads.Exists(t => t.IsAlive))
        {
            tally.Absorb(backend.Logs); // keep the log queue short during long runs
            Thread.Sleep(200);
        }
        foreach (var c in controls)
        {
            c.Dispose();
        }
    }

    private static void Guard(FuzzTally tally, string where, Action body)
    {
        try
        {
            body();
        }
        catch (Exception e)
        {
            tally.HarnessError(where, e);
        }
    }

    /// <summary>Waits until only the healthy vif is left, then closes the TAP ends of every other.</summary>
    private static void Settle(InProcessBackend backend, string keep, HostSideInjector injector)
    {
        Assert.True(backend.WaitForVifCount(1, Patience), $"{backend.Registry.Count} vifs left after the fuzzers stopped");
        injector.CloseEnds();
        foreach (string name in backend.Taps.Names.ToArray())
        {
            if (name != keep)
            {
                backend.Taps.Release(name);
            }
        }
    }
}
