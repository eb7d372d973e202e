using System.Text;
using Netback.Tests.Support;
using Ring.Shared.Interop;

namespace Netback.Tests.Shared.Interop;

/// <summary>
/// <see cref="ChildProcess"/>: a script gets exactly the environment given, no descriptor of ours,
/// default signal dispositions and a process group of its own; a timeout kills the group (its
/// children too) and the child is always reaped.
/// </summary>
public sealed unsafe class ChildProcessTests
{
    private static readonly string[] Env = ["PATH=/usr/bin:/bin", "vif=vif7.0"];

    /// <summary>Runs <c>sh -c SCRIPT</c> to its end (10 s at most) and returns its stderr and how it ended.</summary>
    private static (string Stderr, ChildExit Exit, int Pid) Run(string script, string[]? env = null)
    {
        using var child = ChildProcess.Start("/bin/sh", ["sh", "-c", script], env ?? Env);
        var stderr = new StringBuilder();
        var buffer = new byte[4096];
        var deadline = Environment.TickCount64 + 10_000;
        while (Environment.TickCount64 < deadline)
        {
            var e = child.Wait(buffer, 100, out int n);
            if (e == ChildEvent.Output)
            {
                stderr.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
            else if (e == ChildEvent.Exited)
            {
                while (child.Wait(buffer, 0, out n) == ChildEvent.Output)
                {
                    stderr.Append(Encoding.UTF8.GetString(buffer, 0, n));
                }
                var exit = child.PeekExit();
                Assert.True(child.Reap(1000));
                return (stderr.ToString(), exit, child.Pid);
            }
        }
        throw new TimeoutException($"sh -c '{script}' did not exit; stderr so far: {stderr}");
    }

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z');

    private static bool Gone(int pid, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (Alive(pid) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }
        return !Alive(pid);
    }

    [Fact]
    public void The_child_gets_the_environment_given_and_nothing_of_ours()
    {
        Environment.SetEnvironmentVariable("NETBACK_TEST_SECRET", "leaked");
        var (stderr, exit, _) = Run("env >&2");
        Assert.True(exit.Succeeded, exit.ToString());
        Assert.Contains("vif=vif7.0", stderr, StringComparison.Ordinal);
        Assert.Contains("PATH=/usr/bin:/bin", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("NETBACK_TEST_SECRET", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("DOTNET", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_child_holds_no_descriptor_but_its_three_and_stdin_and_stdout_are_dev_null()
    {
        // An eventfd and a memfd of ours exist while it runs (both O_CLOEXEC, and close-from 3 besides).
        using var eventfd = Native.Eventfd();
        using var memfd = Native.Memfd(4096);
        using var child = ChildProcess.Start("/bin/sh", ["sh", "-c", "echo ready >&2; exec sleep 600"], Env);
        Assert.Equal(ChildEvent.Output, child.Wait(new byte[64], 5000, out _));
        Thread.Sleep(50); // past the exec
        var fds = new DirectoryInfo($"/proc/{child.Pid}/fd").GetFileSystemInfos().ToDictionary(f => f.Name, f => f.LinkTarget);
        Assert.True(fds.Keys.Order().SequenceEqual(["0", "1", "2"]), string.Join(", ", fds.Select(f => $"{f.Key} {f.Value}")));
        Assert.Equal("/dev/null", fds["0"]);
        Assert.Equal("/dev/null", fds["1"]);
        Assert.StartsWith("pipe:", fds["2"], StringComparison.Ordinal);
    }

    [Fact]
    public void The_child_starts_with_default_signals_and_in_a_process_group_of_its_own()
    {
        // The .NET runtime ignores SIGPIPE; exec would hand that down to the script without SETSIGDEF.
        // (The program execs in place: a shell blocks every signal while it waits for a child.)
        var (stderr, exit, pid) = Run("cut -d' ' -f5 /proc/$$/stat >&2; exec grep -E '^(SigIgn|SigBlk)' /proc/self/status >&2");
        Assert.True(exit.Succeeded, exit.ToString());
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Contains("SigIgn:\t0000000000000000"), stderr);
        Assert.Contains("SigBlk:\t0000000000000000", lines);
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), lines[0]);
    }

    [Fact]
    public void Exit_statuses_and_signals_are_told_apart()
    {
        Assert.Equal(new ChildExit(3, null), Run("exit 3").Exit);
        Assert.Equal(new ChildExit(null, 15), Run("kill -TERM $$").Exit);
        Assert.Equal("exit status 3", new ChildExit(3, null).ToString());
        Assert.Equal("killed by signal 15", new ChildExit(null, 15).ToString());
    }

    [Fact]
    public void Killing_the_group_takes_what_the_child_started_and_the_child_is_reaped()
    {
        using var child = ChildProcess.Start("/bin/sh", ["sh", "-c", "sleep 600 & echo $! >&2; wait"], Env);
        var buffer = new byte[64];
        Assert.Equal(ChildEvent.Output, child.Wait(buffer, 5000, out int n));
        int sleeper = int.Parse(Encoding.ASCII.GetString(buffer, 0, n).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Alive(sleeper));
        Assert.Equal(ChildEvent.None, child.Wait(buffer, 100, out _)); // still running

        child.KillGroup();

        Assert.True(child.Reap(2000), "the child was not reaped after SIGKILL");
        Assert.True(Gone(sleeper, TimeSpan.FromSeconds(5)), $"sleep {sleeper} survived the group kill");
        Assert.False(Alive(child.Pid));
    }

    [Fact]
    public void Dispose_kills_and_reaps_a_child_left_running()
    {
        var child = ChildProcess.Start("/bin/sh", ["sh", "-c", "exec sleep 600"], Env);
        int pid = child.Pid;
        child.Dispose();
        Assert.False(Alive(pid), "the child outlived Dispose");
        Assert.Equal(-1, Spawn.waitpid(pid, null, Spawn.WNOHANG)); // ECHILD: reaped already
    }

    [Fact]
    public void A_child_that_closes_stderr_is_still_heard_exiting()
    {
        var (stderr, exit, _) = Run("echo before >&2; exec 2>&-; sleep 0.2; exit 4");
        Assert.Equal("before\n", stderr);
        Assert.Equal(new ChildExit(4, null), exit);
    }

    [Fact]
    public void A_program_that_does_not_exist_throws_with_nothing_left()
    {
        var e = Assert.Throws<System.ComponentModel.Win32Exception>(() => ChildProcess.Start("/nonexistent/script", ["x"], Env));
        Assert.Contains("posix_spawn", e.Message, StringComparison.Ordinal);
    }
}
