using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Netback.Daemon.Interface;
using Netback.Tests.Support;

namespace Netback.Tests.Daemon.Interface;

/// <summary>
/// <see cref="HotplugRunner"/>: a script's stderr reaches the log one bounded, escaped line at a time;
/// a failing script's last line is the reason; a hanging one is killed at the timeout with what it
/// started; and only a regular, executable file of the directory that nobody else can write runs.
/// </summary>
public sealed class HotplugRunnerTests : IDisposable
{
    private static readonly string[] Env = ["PATH=/usr/bin:/bin", "vif=vif7.0"];
    private readonly ScriptDirectory _dir = new();
    private readonly CollectingLoggerProvider _logs = new();
    private readonly ILogger _logger;

    public HotplugRunnerTests() => _logger = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug)).CreateLogger("Netback.Interface");

    public void Dispose() => _dir.Dispose();

    private HotplugScript Script(string name, double timeoutSeconds = 5) => HotplugScript.In(_dir.Path, name, TimeSpan.FromSeconds(timeoutSeconds));

    private HotplugResult Run(string name, double timeoutSeconds = 5) => HotplugRunner.Run(Script(name, timeoutSeconds), "online", Env, "vif7.0", _logger);

    private string[] ScriptLines() => _logs.Entries.Where(e => e.Id.Id == 60).Select(e => e.Message).ToArray();

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z');

    private static bool Gone(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Alive(pid) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }
        return !Alive(pid);
    }

    [Fact]
    public void A_script_that_succeeds_has_its_stderr_logged_line_by_line()
    {
        _dir.Write("ok", "echo \"ok: $1 $vif\" >&2; echo 'on stdout, discarded'; echo second >&2");
        Assert.Equal(HotplugResult.Ok, Run("ok"));
        Assert.Equal(["vif7.0: ok online: ok: online vif7.0 (0 script lines suppressed before this one)",
            "vif7.0: ok online: second (0 script lines suppressed before this one)"], ScriptLines());
        Assert.Contains(_logs.Entries, e => e.Id.Id == 62 && e.Level == LogLevel.Debug);
    }

    [Fact]
    public void A_script_gets_the_environment_it_is_given_and_nothing_of_the_daemons()
    {
        string file = Path.Join(_dir.Path, "seen");
        _dir.Write("printenv", $"env > {file}");
        Assert.Equal(HotplugResult.Ok, Run("printenv"));
        string[] seen = File.ReadAllLines(file)
            .Where(l => !l.StartsWith("PWD=", StringComparison.Ordinal) && !l.StartsWith("SHLVL=", StringComparison.Ordinal) && !l.StartsWith("_=", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Env.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public void A_failing_script_gives_its_last_line_and_leaves_nothing_running()
    {
        string pidFile = Path.Join(_dir.Path, "sleeper");
        _dir.Write("fails", $"sleep 600 & echo $! > {pidFile}; echo 'first' >&2; echo 'bridge xenbr9 does not exist' >&2; exit 3");
        var result = Run("fails");
        Assert.False(result.Succeeded);
        Assert.Equal("exit status 3: bridge xenbr9 does not exist", result.Reason);
        Assert.True(Gone(int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture)),
            "what the failed script started still runs");
    }

    [Fact]
    public void A_hanging_script_is_killed_at_the_timeout_with_what_it_started()
    {
        string pidFile = Path.Join(_dir.Path, "pids");
        _dir.Write("hangs", $"sleep 600 & echo \"$$ $!\" > {pidFile}; echo 'waiting for Godot' >&2; wait");
        var clock = Stopwatch.StartNew();
        var result = Run("hangs", timeoutSeconds: 1);
        clock.Stop();
        Assert.False(result.Succeeded);
        Assert.Equal("timed out after 1 s, its process group killed (last line: waiting for Godot)", result.Reason);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 3.0);
        foreach (string pid in File.ReadAllText(pidFile).Split(' ', StringSplitOptions.TrimEntries))
        {
            Assert.True(Gone(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture)), $"process {pid} of the hung script survived");
        }
        Assert.DoesNotContain(_logs.Entries, e => e.Id.Id == 64); // reaped
    }

    [Fact]
    public void A_script_that_closes_stderr_and_hangs_is_still_killed_at_the_timeout()
    {
        _dir.Write("silent", "exec 2>&-; exec sleep 600");
        var result = Run("silent", timeoutSeconds: 1);
        Assert.Equal("timed out after 1 s, its process group killed", result.Reason);
    }

    [Fact]
    public void A_script_that_exits_leaving_a_process_on_its_stderr_is_not_waited_for()
    {
        string pidFile = Path.Join(_dir.Path, "daemon");
        _dir.Write("detaches", $"sleep 30 & echo $! > {pidFile}; echo started >&2; exit 0");
        var clock = Stopwatch.StartNew();
        Assert.Equal(HotplugResult.Ok, Run("detaches"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        // A successful script's helpers are its own business; this test's is not left behind.
        _ = Ring.Shared.Interop.Spawn.kill(int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture), 9);
    }

    [Fact]
    public void Output_is_escaped_cut_and_bounded_per_run()
    {
        _dir.Write("chatty", "printf 'red \\033[31mALERT\\033[0m\\r\\n' >&2; head -c 100000 /dev/zero | tr '\\0' x >&2; echo >&2; "
            + "i=0; while [ $i -lt 100 ]; do echo line $i >&2; i=$((i+1)); done; printf 'no newline at the end' >&2; exit 1");
        var result = Run("chatty");
        string[] lines = ScriptLines();
        Assert.Equal(HotplugOutput.MaxLoggedLines, lines.Length);
        Assert.Equal("vif7.0: chatty online: red \\x1b[31mALERT\\x1b[0m (0 script lines suppressed before this one)", lines[0]);
        Assert.Contains(new string('x', HotplugOutput.MaxLineChars) + "… (", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', HotplugOutput.MaxLineChars + 1), lines[1], StringComparison.Ordinal);
        Assert.Contains(_logs.Entries, e => e.Id.Id == 61 && e.Message.Contains("wrote 83 more lines", StringComparison.Ordinal));
        Assert.Equal("exit status 1: no newline at the end", result.Reason);
        Assert.All(_logs.Entries, e => Assert.DoesNotContain('\n', e.Message));
    }

    [Theory]
    [InlineData("missing", null, "does not exist")]
    [InlineData("plain", "0644", "is not executable")]
    [InlineData("groupwritable", "0775", "is writable by group or others (mode 0775)")]
    [InlineData("worldwritable", "0757", "is writable by group or others (mode 0757)")]
    public void Only_an_executable_file_nobody_else_can_write_runs(string name, string? mode, string reason)
    {
        string marker = Path.Join(_dir.Path, "ran");
        if (mode is not null)
        {
            _dir.Write(name, $"touch {marker}", (UnixFileMode)Convert.ToInt32(mode, 8));
        }
        var result = Run(name);
        Assert.False(result.Succeeded);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "the refused script ran");
    }

    [Fact]
    public void A_symbolic_link_out_of_the_directory_does_not_run()
    {
        using var elsewhere = new ScriptDirectory();
        string marker = Path.Join(elsewhere.Path, "ran");
        string target = elsewhere.Write("evil", $"touch {marker}");
        File.CreateSymbolicLink(Path.Join(_dir.Path, "vif-bridge"), target);
        var result = Run("vif-bridge");
        Assert.Contains("is a symbolic link", result.Reason, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Nothing_runs_from_a_directory_others_can_write()
    {
        string marker = Path.Join(_dir.Path, "ran");
        _dir.Write("vif-bridge", $"touch {marker}");
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)Convert.ToInt32("1777", 8));
        var result = Run("vif-bridge");
        Assert.Contains("is writable by group or others (mode 1777)", result.Reason, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
        Assert.Contains("does not exist", HotplugRunner.Run(HotplugScript.In("/nonexistent/netback", "vif-bridge", TimeSpan.FromSeconds(1)),
            "online", Env, "vif7.0", _logger).Reason, StringComparison.Ordinal);
    }
}
