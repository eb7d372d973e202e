using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Netback.IntegrationTests.Support;
using Netback.Tests.Support;
using Netfront.Client;
using Ring.Shared.Abi;
using Ring.Shared.Control;

namespace Netback.IntegrationTests;

/// <summary>
/// The real netbackd, under systemd's log format (JOURNAL_STREAM set), against an unprivileged uid
/// that Netback:Access:AllowedUids admits and that opens thousands of connections without a Connect,
/// puts a forged journal line in its vifspec, and holds a handshake through a stop. The daemon's
/// threads stay flat, the excess is refused at accept, a real netfront still attaches, the idle
/// connections go at the handshake timeout leaving nothing behind, every stdout line is one journal
/// entry with its own priority, and SIGTERM still ends it within its bound.
/// </summary>
public sealed partial class ControlPlaneHostileTests(ITestOutputHelper output) : IntegrationTest(output)
{
    private const int Idle = 4000;
    private const int HandshakeTimeoutSeconds = 5;
    private const int ShutdownTimeoutSeconds = 3;

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Thousands_of_idle_connections_cost_netbackd_no_threads_and_netfront_still_attaches()
    {
        Testbed bed = await CreateTestbedAsync();
        ChildProcess daemon = await StartJournalDaemonAsync(bed);
        int pid = daemon.Pid;
        var options = new NetfrontOptions { SocketPath = bed.SocketPath, HandshakeTimeout = TimeSpan.FromSeconds(10) };
        using (NetfrontDevice.Connect(options))
        {
            // One cycle first: what the runtime opens on first use is part of the baseline.
        }
        await Task.Delay(500, Ct);
        int threadsBefore = ProcStats.Threads(pid);
        int fdsBefore = OwnFds(pid);

        var idle = ForeignUid.Connect(bed.SocketPath, Idle).Select(s => new ControlChannel(s)).ToList();
        try
        {
            int threadsIdle = ProcStats.Threads(pid);
            var first = idle.Select(FirstMessage).ToList();
            int hellos = first.Count(m => m?.Type == ControlMessageType.Hello);
            int refused = first.Count(m => m?.Type == ControlMessageType.Error
                && (m.Get(XenbusKeys.Reason) ?? "").Contains($"uid {ForeignUid.Nobody} has 16 handshakes pending, the limit is 16", StringComparison.Ordinal));

            var inProcess = Stopwatch.StartNew();
            using (var device = NetfrontDevice.Connect(options))
            {
                inProcess.Stop();
                Assert.StartsWith("vif", device.VifName, StringComparison.Ordinal);
            }
            var process = Stopwatch.StartNew();
            Frontend front = await bed.AttachAsync(bed.Guests[0], $"{bed.Subnet(0)}.2/24", Ct, "--no-reconnect");
            process.Stop();
            await bed.AddHostAddressAsync(front.Vif, $"{bed.Subnet(0)}.1/24", Ct);
            await bed.PingAsync(bed.Guests[0], $"{bed.Subnet(0)}.1", Ct);

            Output.WriteLine($"netbackd: {threadsBefore} threads before, {threadsIdle} with {Idle} idle connections; " +
                $"{hellos} Hello, {refused} refused at accept; Netfront.Client attached in {inProcess.Elapsed.TotalMilliseconds:0.0} ms, " +
                $"netfront attach (process start included) in {process.Elapsed.TotalMilliseconds:0} ms");
            Assert.True(threadsIdle <= threadsBefore + 2, $"netbackd went from {threadsBefore} to {threadsIdle} threads: {ThreadsByName(pid)}");
            Assert.Equal(16, hellos);
            Assert.Equal(Idle - 16, refused);
            Assert.True(inProcess.Elapsed < TimeSpan.FromSeconds(1), $"attaching took {inProcess.ElapsedMilliseconds} ms with {Idle} idle connections");

            // The admitted ones are dropped at the handshake timeout, the refused ones were at once.
            var deadline = Stopwatch.StartNew();
            while (idle.Any(c => !IsClosed(c)) && deadline.Elapsed < TimeSpan.FromSeconds(HandshakeTimeoutSeconds + 5))
            {
                await Task.Delay(200, Ct);
            }
            Assert.True(idle.All(IsClosed), $"{idle.Count(c => !IsClosed(c))} idle connections still open after the handshake timeout");

            await front.Process.StopAsync(TimeSpan.FromSeconds(5));
            Assert.True(await bed.Host.WaitForLinkAsync(front.Vif, present: false, Testbed.StartTimeout, Ct), $"{front.Vif} stayed");
        }
        finally
        {
            foreach (var c in idle)
            {
                c.Dispose();
            }
        }

        var settle = Stopwatch.StartNew();
        while ((OwnFds(pid) > fdsBefore || ProcStats.Threads(pid) > threadsBefore + 1) && settle.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(200, Ct);
        }
        Assert.True(OwnFds(pid) <= fdsBefore, $"netbackd fds: {fdsBefore} before, {OwnFds(pid)} after\n{ProcStats.DescribeFds(pid)}");
        Assert.True(ProcStats.Threads(pid) <= threadsBefore + 1,
            $"netbackd threads: {threadsBefore} before, {ProcStats.Threads(pid)} after: {ThreadsByName(pid)}");
        AssertJournalLines(daemon);
    }

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task A_forged_journal_line_stays_one_escaped_line_and_SIGTERM_ends_within_its_bound_with_a_handshake_held()
    {
        Testbed bed = await CreateTestbedAsync();
        ChildProcess daemon = await StartJournalDaemonAsync(bed);
        var options = new NetfrontOptions { SocketPath = bed.SocketPath, HandshakeTimeout = TimeSpan.FromSeconds(10) };

        var forged = new NetfrontOptions { SocketPath = bed.SocketPath, VifSpec = "mtu=9\n<0>netbackd: forged\u001b[31m" };
        var refusal = Assert.Throws<NetfrontException>(() => NetfrontDevice.Connect(forged));
        Assert.Contains("\\n<0>netbackd: forged\\x1b[31m", refusal.Message, StringComparison.Ordinal);
        await daemon.WaitForLineAsync(l => l.Contains("forged", StringComparison.Ordinal), TimeSpan.FromSeconds(5), Ct);

        using var connected = NetfrontDevice.Connect(options);
        var held = ForeignUid.Connect(bed.SocketPath, 1).Select(s => new ControlChannel(s)).Single();
        using (held)
        {
            Assert.Equal(ControlMessageType.Hello, FirstMessage(held)?.Type);
            var clock = Stopwatch.StartNew();
            daemon.SendSignal(Signals.SIGTERM);
            bool exited = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(ShutdownTimeoutSeconds + 5), Ct);
            Output.WriteLine($"netbackd exited {clock.ElapsedMilliseconds} ms after SIGTERM, a handshake held and a vif connected");
            Assert.True(exited, $"netbackd still runs {ShutdownTimeoutSeconds + 5} s after SIGTERM\n{daemon.Describe()}");
            Assert.Equal(0, daemon.ExitCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(ShutdownTimeoutSeconds), $"netbackd took {clock.ElapsedMilliseconds} ms to exit");
            var closing = FirstMessage(held);
            Assert.Equal(XenbusState.Closing, closing?.State);
            Assert.Equal("backend is shutting down", closing?.Get(XenbusKeys.Reason));
        }
        AssertJournalLines(daemon);
        Assert.Contains(daemon.Stdout.Split('\n'), l => l.Contains("\\n<0>netbackd: forged\\x1b[31m", StringComparison.Ordinal));
    }

    /// <summary>
    /// netbackd as systemd runs it, for the log format (JOURNAL_STREAM: "&lt;N&gt;Source: message" lines),
    /// admitting uid 65534 besides root, with short timeouts for the test.
    /// </summary>
    private static async Task<ChildProcess> StartJournalDaemonAsync(Testbed bed)
    {
        ForeignUid.OpenDirectory(bed.TempDir);
        ChildProcess daemon = bed.Track(bed.Host.Start("netbackd", "/usr/bin/env",
            "JOURNAL_STREAM=8:4242", Binaries.Netbackd, "--socket", bed.SocketPath, "--admin-socket", bed.AdminSocketPath,
            "--Netback:ScriptDirectory", bed.ScriptDirectory, "--Netback:SocketMode=0666", $"--Netback:Access:AllowedUids:0={ForeignUid.Nobody}",
            $"--Netback:HandshakeTimeoutSeconds={HandshakeTimeoutSeconds}", $"--Netback:ShutdownTimeoutSeconds={ShutdownTimeoutSeconds}"));
        await daemon.WaitForLineAsync(l => l.Contains("Listening on ", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
        return daemon;
    }

    /// <summary>Every line netbackd wrote is one journal entry: a priority prefix and a source, nothing forged.</summary>
    private void AssertJournalLines(ChildProcess daemon)
    {
        string[] lines = daemon.Stdout.TrimEnd('\n').Split('\n');
        Output.WriteLine($"netbackd wrote {lines.Length} lines; the refusals: " +
            string.Join(" | ", lines.Where(l => l.Contains("Refused", StringComparison.Ordinal)).Take(3)));
        Assert.All(lines, l => Assert.Matches(JournalLine(), l));
        Assert.DoesNotContain(lines, l => l.Contains('\u001b', StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("<0>", StringComparison.Ordinal));
    }

    /// <summary>Thread names with their counts ("xenbus-1234 ×3966"), short enough for a failure message.</summary>
    private static string ThreadsByName(int pid) =>
        string.Join(", ", ProcStats.DescribeThreads(pid).Split(", ").GroupBy(n => n)
            .Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ×{g.Count()}"));

    /// <summary>netbackd's fds without the assemblies the runtime maps on first use.</summary>
    private static int OwnFds(int pid) => ProcStats.DescribeFds(pid).Split(", ", StringSplitOptions.RemoveEmptyEntries).Length;

    private static ControlMessage? FirstMessage(ControlChannel c)
    {
        try
        {
            using var r = c.Receive(TimeSpan.FromSeconds(10));
            return r.Message;
        }
        catch (Exception e) when (e is TimeoutException or ControlChannelClosedException)
        {
            return null;
        }
    }

    private static bool IsClosed(ControlChannel c)
    {
        try
        {
            while (true)
            {
                using var r = c.Receive(TimeSpan.Zero);
            }
        }
        catch (ControlChannelClosedException)
        {
            return true;
        }
        catch (Exception e) when (e is TimeoutException or ControlProtocolException or SocketException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^<[0-7]>[A-Za-z][A-Za-z0-9_.]*: ")]
    private static partial Regex JournalLine();
}
