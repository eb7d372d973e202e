using Netback.Daemon.Diagnostics;

namespace Netback.Tests.Daemon.Diagnostics;

/// <summary>The CPU a worker last ran on: proc(5)'s field 39, counted from the comm's last ')', for the named thread only.</summary>
public sealed class ThreadCpuTests
{
    // Fields 3..52 of a real line (a shell's, field 39, processor, set to 3).
    private const string Fields = "R 30216 30216 24192 0 -1 4194304 2854 6576 0 0 3 0 4 0 20 0 1 0 1151309 16969728 3362 18446744073709551615 "
        + "94894819516416 94894819516757 140736128058176 0 0 0 0 16781312 2 0 0 0 0 3 0 0 0 0 0 94894819528112 94894819528728 "
        + "94894936788992 140736128059254 140736128059433 140736128059433 140736128061391 0";

    [Fact]
    public void Field_39_of_the_named_thread()
    {
        Assert.Equal(3, ThreadCpu.Parse($"1234 (vif1.0-q0) {Fields}", "vif1.0-q0"));
        // The kernel keeps 15 bytes of a name; spaces and parentheses in it do not shift the fields.
        Assert.Equal(3, ThreadCpu.Parse($"1234 (web0) (x) q1-an) {Fields}", "web0) (x) q1-and-more"));
    }

    [Fact]
    public void Another_thread_or_a_short_line_is_no_answer()
    {
        Assert.Null(ThreadCpu.Parse($"1234 (.NET TP Worker) {Fields}", "vif1.0-q0")); // the tid was recycled
        Assert.Null(ThreadCpu.Parse("1234 (vif1.0-q0) S 1 1", "vif1.0-q0"));
        Assert.Null(ThreadCpu.LastCpu(0, "vif1.0-q0"));
        Assert.Null(ThreadCpu.LastCpu(int.MaxValue, "vif1.0-q0"));
    }

    [Fact]
    public void This_thread_is_found_on_a_cpu_of_this_machine()
    {
        string name = File.ReadAllText("/proc/thread-self/comm").TrimEnd('\n');
        int tid = int.Parse(Path.GetFileName(new DirectoryInfo("/proc/thread-self").LinkTarget!), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ThreadCpu.LastCpu(tid, name)!.Value, 0, Environment.ProcessorCount - 1);
    }
}
