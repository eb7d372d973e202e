using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>Mistakes on the command line end the program at once, non-zero, saying what is wrong.</summary>
public sealed class BadInputTests(ITestOutputHelper output) : IntegrationTest(output)
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Netfront_with_a_missing_socket_fails_with_a_clear_message()
    {
        // In a namespace of its own, so a frontend that wrongly got as far as creating its TAP leaves nothing.
        Testbed bed = await CreateTestbedAsync();
        string missing = Path.Combine(bed.TempDir, "nonexistent.sock");

        ProcessResult r = await bed.Guests[0].RunAsync(ExitTimeout, Ct, Binaries.Netfront,
            "attach", "--socket", missing, "--name", "eth0", "--address", $"{bed.Subnet(0)}.2/24");

        Output.WriteLine(r.ToString());
        Assert.True(r.ExitCode != 0, $"netfront succeeded without a backend\n{r}");
        Assert.False(string.IsNullOrWhiteSpace(r.Stderr), $"netfront failed silently\n{r}");
        Assert.True(r.Stderr.Contains(missing, StringComparison.Ordinal), $"netfront's error does not name the socket\n{r}");
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal); // a message, not a stack trace
        Assert.DoesNotContain(r.Stdout.Split('\n'), l => l.StartsWith("attached ", StringComparison.Ordinal));
    }

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Netbackd_with_a_relative_socket_path_names_the_setting_and_exits_78()
    {
        Testbed bed = await CreateTestbedAsync(guests: 0);

        ProcessResult r = await bed.Host.RunAsync(ExitTimeout, Ct, Binaries.Netbackd, "--socket", "relative.sock");

        Output.WriteLine(r.ToString());
        string[] lines = (r.Stdout + r.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(r.ExitCode == 78, $"expected EX_CONFIG (78)\n{r}");
        string line = Assert.Single(lines);
        Assert.Contains("SocketPath", line, StringComparison.Ordinal);
        Assert.Contains("relative.sock", line, StringComparison.Ordinal);
    }
}
