using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Netback.Tests.Daemon.Admin;
using Netback.Tests.Support;
using Ring.Shared.Abi;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Ctl;

/// <summary>
/// The netbackctl binary against the in-process backend's admin socket, its stdout a pipe:
/// <c>show</c>'s text prints every node the daemon lists, <c>--json</c> parses, <c>stats</c> prints
/// plain lines or JSON lines with totals that match the traffic, and a bad vif name is a clear
/// error with its exit code (2: not a name; 1: netbackd knows no such vif).
/// </summary>
public sealed partial class NetbackctlOutputTests
{
    private const int Frames = 4;

    [Fact]
    public async Task Show_prints_every_node_as_xenstore_ls_and_nothing_a_terminal_would_obey()
    {
        await using var bench = AdminBench.Start();
        using var f = HostileFrontend.Connect(bench.Backend.SocketPath, null, m => m.Set("x-note", "evil\u001b]0;owned\u0007\nline"));
        Send(bench, f);
        var nodes = AdminPages.Show(bench, f.VifName).Nodes;

        var (exit, stdout, stderr) = Netbackctl.Run(bench.Backend.Options.AdminSocketPath, "show", f.VifName);

        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain('\u001b', stdout);
        Assert.DoesNotContain('\u0007', stdout);
        string[] lines = stdout.Split('\n');
        string backendRoot = "/local/domain/1/device/vif/0";
        int backendAt = Array.IndexOf(lines, "/local/domain/0/backend/vif/1/0 = \"\"");
        int frontendAt = Array.IndexOf(lines, $"{backendRoot} = \"\"");
        Assert.True(backendAt >= 0 && frontendAt > backendAt, stdout);
        foreach (var (path, value) in nodes)
        {
            if (path.StartsWith("backend/", StringComparison.Ordinal))
            {
                Assert.Contains($" {path["backend/".Length..]} = \"{value}\"", lines[backendAt..frontendAt]);
            }
            else if (path.StartsWith("frontend/", StringComparison.Ordinal))
            {
                // queue-0/tx-ring-ref is printed one level deeper, under " queue-0 = """.
                string[] parts = path["frontend/".Length..].Split('/');
                Assert.Contains($"{new string(' ', parts.Length)}{parts[^1]} = \"{value}\"", lines[frontendAt..]);
            }
            else if (path.StartsWith("queue-0/stats/", StringComparison.Ordinal))
            {
                Assert.Matches($@"(^|\s){Regex.Escape(path["queue-0/stats/".Length..])}:\s+{Regex.Escape(value)}(\s|$)",
                    string.Join('\n', lines.Where(l => l.Contains(path["queue-0/stats/".Length..] + ":", StringComparison.Ordinal))));
            }
        }
        Assert.Contains(" x-note = \"evil\\x1b]0;owned\\x07\\nline\"", lines);
        Assert.Matches(WorkerLine(), stdout);
        Assert.Contains(lines, l => Regex.IsMatch(l, $@"^  tx\s+{Frames}\s+{Frames}\s+{Frames}\s+{Frames}\s+{Frames + 1}\s+\d+\s+0 unconsumed$"));
        Assert.Contains(lines, l => l.StartsWith("  event-channels split threads per-queue tx-copy direct offloads tx csum tso4 tso6", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Show_json_is_one_object_with_numbers_where_the_daemon_counts()
    {
        await using var bench = AdminBench.Start();
        using var f = HostileFrontend.Connect(bench.Backend.SocketPath, null, m => m.Set("x-note", "evil\u001b[2J"));
        Send(bench, f);

        var (exit, stdout, stderr) = Netbackctl.Run(bench.Backend.Options.AdminSocketPath, "show", f.VifName, "--json");

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(f.VifName, root.GetProperty("vif").GetString());
        Assert.Equal(1, root.GetProperty("summary").GetProperty("queues").GetInt32());
        Assert.Equal("split", root.GetProperty("summary").GetProperty("event-channels").GetString());
        Assert.Equal("1", root.GetProperty("backend").GetProperty("feature-sg").GetString());
        Assert.Equal("4", root.GetProperty("backend").GetProperty("state").GetString());
        Assert.Equal("1,2", root.GetProperty("frontend").GetProperty("event-channel-tx").GetString());
        Assert.Equal("evil\\x1b[2J", root.GetProperty("frontend").GetProperty("x-note").GetString());
        var queue = root.GetProperty("queues").EnumerateArray().Single();
        Assert.Equal(0, queue.GetProperty("queue").GetInt32());
        Assert.True(queue.GetProperty("worker").GetProperty("tid").GetInt32() > 0);
        Assert.InRange(queue.GetProperty("worker").GetProperty("cpu").GetInt32(), 0, Environment.ProcessorCount - 1);
        Assert.Equal(Frames, queue.GetProperty("tx").GetProperty("req_prod").GetInt32());
        Assert.Equal(Frames, queue.GetProperty("tx").GetProperty("rsp_prod").GetInt32());
        Assert.Equal(Frames, queue.GetProperty("stats").GetProperty("tx-packets").GetInt64());
        Assert.Equal(0, queue.GetProperty("stats").GetProperty("drops").GetProperty("tx-runt").GetInt64());
    }

    [Fact]
    public async Task Stats_prints_plain_lines_when_stdout_is_not_a_terminal_and_json_lines_with_json()
    {
        await using var bench = AdminBench.Start();
        using var f = HostileFrontend.Connect(bench.Backend.SocketPath);
        Send(bench, f);
        string admin = bench.Backend.Options.AdminSocketPath;

        var (exit, stdout, stderr) = Netbackctl.Run(admin, "stats", f.VifName, "--interval", "0.2");
        Assert.True(exit == 0, stderr);
        string[] lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("TIME     VIF", lines[0], StringComparison.Ordinal);
        string[] row = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(f.VifName, row[1]);
        Assert.Equal("0", row[2]);
        Assert.Equal(Frames.ToString(CultureInfo.InvariantCulture), row[3]); // TX-PKTS, exact
        Assert.Equal("0.0", row[4]);                                          // TX-PKTS/S: nothing sent meanwhile
        Assert.Equal((Frames * 120).ToString(CultureInfo.InvariantCulture), row[5]);
        Assert.Equal("-", row[^1]);                                          // no drop reason counted

        // --watch --json: a JSON object per sample and line, until stopped.
        var jsonLines = Netbackctl.FirstLines(admin, 2, "stats", "--watch", "--json", "--interval", "0.2");
        foreach (string line in jsonLines)
        {
            using var json = JsonDocument.Parse(line);
            var queue = json.RootElement.GetProperty("queues").EnumerateArray().Single();
            Assert.Equal(f.VifName, queue.GetProperty("vif").GetString());
            Assert.Equal(Frames, queue.GetProperty("total").GetProperty("tx-packets").GetInt64());
            Assert.Equal(0, queue.GetProperty("total").GetProperty("drops").GetProperty("spoofed-source-mac").GetInt64());
            Assert.Equal(0.0, queue.GetProperty("per-second").GetProperty("tx-packets").GetDouble());
            Assert.InRange(queue.GetProperty("interval-s").GetDouble(), 0.1, 5);
        }
    }

    [Fact]
    public async Task Stats_rates_are_the_traffic_between_two_samples_over_the_daemons_interval()
    {
        const int More = 6;
        await using var bench = AdminBench.Start();
        using var f = HostileFrontend.Connect(bench.Backend.SocketPath);
        Send(bench, f);
        var host = bench.Backend.Host(f.VifName);

        // Frames sent between the first and the second sample; the third sample sees any that came late.
        var lines = Netbackctl.FirstLines(bench.Backend.Options.AdminSocketPath, 3, line =>
        {
            if (line == 0)
            {
                for (int i = 0; i < More; i++)
                {
                    Assert.Equal(NetifStatus.Okay, f.SendFrame(Frame(100, (byte)i), (ushort)(Frames + i)).Status);
                    Assert.Equal(100, ReceiveFromHost(host).Length);
                }
            }
        }, "stats", f.VifName, "--watch", "--json", "--interval", "1");

        var samples = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("queues").EnumerateArray().Single()).ToArray();
        Assert.Equal(Frames, samples[0].GetProperty("total").GetProperty("tx-packets").GetInt64());
        Assert.Equal(Frames + More, samples[2].GetProperty("total").GetProperty("tx-packets").GetInt64());
        Assert.Equal(Frames * 120 + More * 100, samples[2].GetProperty("total").GetProperty("tx-bytes").GetInt64());
        double wakeupRates = 0;
        for (int i = 1; i < samples.Length; i++)
        {
            double interval = samples[i].GetProperty("interval-s").GetDouble();
            Assert.InRange(interval, 0.5, 30);
            foreach (string key in new[] { "tx-packets", "tx-bytes", "notifications-received", "wakeups" })
            {
                long delta = samples[i].GetProperty("total").GetProperty(key).GetInt64() - samples[i - 1].GetProperty("total").GetProperty(key).GetInt64();
                double rate = samples[i].GetProperty("per-second").GetProperty(key).GetDouble();
                Assert.True(Math.Abs(rate * interval - delta) < 0.01 * Math.Max(1, delta), $"{key}: {rate}/s over {interval} s, {delta} counted");
            }
            wakeupRates += samples[i].GetProperty("per-second").GetProperty("wakeups").GetDouble();
        }
        Assert.True(wakeupRates > 0, "the worker woke for the frames");
    }

    [Fact]
    public async Task A_bad_vif_name_is_a_clear_error_with_its_exit_code()
    {
        await using var bench = AdminBench.Start();
        string admin = bench.Backend.Options.AdminSocketPath;

        var slash = Netbackctl.Run(admin, "show", "vif1/0");
        Assert.Equal(2, slash.Exit);
        Assert.Equal("netbackctl: 'vif1/0' is not a vif name: a netdev name has no '/', ':', space or control character (e.g. vif1.0)\n", slash.Stderr);
        Assert.Equal("", slash.Stdout);

        var escape = Netbackctl.Run(admin, "stats", "vif\u001b[2J");
        Assert.Equal(2, escape.Exit);
        Assert.Contains("'vif\\x1b[2J' is not a vif name", escape.Stderr, StringComparison.Ordinal);

        Assert.Equal(2, Netbackctl.Run(admin, "show", "a-name-longer-than-ifnamsiz").Exit);
        Assert.Equal(2, Netbackctl.Run(admin, "stats", "--interval", "0").Exit);

        var unknown = Netbackctl.Run(admin, "show", "vif9.0", "--json");
        Assert.Equal(1, unknown.Exit);
        Assert.Equal("netbackctl: no vif named 'vif9.0' is connected (netbackctl list shows the live vifs)\n", unknown.Stderr);
        Assert.Equal("", unknown.Stdout);
        Assert.Equal(1, Netbackctl.Run(admin, "stats", "vif9.0").Exit);
    }

    /// <summary><see cref="Frames"/> frames guest → host, each answered, then the worker idle.</summary>
    private static void Send(AdminBench bench, HostileFrontend f)
    {
        var host = bench.Backend.Host(f.VifName);
        for (int i = 0; i < Frames; i++)
        {
            Assert.Equal(NetifStatus.Okay, f.SendFrame(Frame(120, (byte)i), (ushort)i).Status);
            Assert.Equal(120, ReceiveFromHost(host).Length);
        }
        Assert.True(Eventually(() => AdminPages.Show(bench, f.VifName).Nodes["queue-0/tx/req_event"] == (Frames + 1).ToString(CultureInfo.InvariantCulture)));
    }

    [GeneratedRegex(@"queue 0: worker vif1\.0-q0, tid [1-9]\d*, last ran on CPU \d+\n")]
    private static partial Regex WorkerLine();
}
