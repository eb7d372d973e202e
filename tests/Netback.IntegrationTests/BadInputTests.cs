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

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Netbackd_with_a_bad_vif_declaration_names_it_and_exits_78()
    {
        Testbed bed = await CreateTestbedAsync(guests: 0);

        ProcessResult r = await bed.Host.RunAsync(ExitTimeout, Ct, Binaries.Netbackd, "--socket", bed.SocketPath,
            "--admin-socket", bed.AdminSocketPath, "--Netback:StateDirectory", bed.StateDirectory,
            "--Netback:Vifs:0:DomId", "7", "--Netback:Vifs:0:Spec", "mac=00:16:3e:00:00:07,script=/etc/xen/scripts/vif-bridge");

        Output.WriteLine(r.ToString());
        Assert.True(r.ExitCode == 78, $"expected EX_CONFIG (78)\n{r}");
        string line = Assert.Single((r.Stdout + r.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("Netback:Vifs:0: needs an owner", line, StringComparison.Ordinal);
        Assert.False(File.Exists(bed.SocketPath), "netbackd listened with a bad declaration");
    }

    [Theory(Timeout = IntegrationTest.TimeoutMs)]
    [InlineData("{\"version\":1,\"vifs\":[{\"domid\":7,\"uid\":65534}]}", "666", "is writable by group or others (mode 666)")]
    [InlineData("{\"version\":1,\"vifs\":[{\"domid\":7,\"uid\":65534,", "600", "is not valid JSON")]
    [InlineData("{\"version\":1,\"vifs\":[{\"domid\":7,\"uid\":65534,\"spec\":\"script=/tmp/x\"}]}", "600", "entry 0: Spec: script '/tmp/x' is not a script name")]
    public async Task Netbackd_with_an_untrustworthy_state_file_says_why_and_exits_78(string json, string mode, string reason)
    {
        Testbed bed = await CreateTestbedAsync(guests: 0);
        Directory.CreateDirectory(bed.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string file = Path.Combine(bed.StateDirectory, "vifs.json");
        File.WriteAllText(file, json);
        File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32(mode, 8));

        ProcessResult r = await bed.Host.RunAsync(ExitTimeout, Ct, Binaries.Netbackd, "--socket", bed.SocketPath,
            "--admin-socket", bed.AdminSocketPath, "--Netback:StateDirectory", bed.StateDirectory);

        Output.WriteLine(r.ToString());
        Assert.True(r.ExitCode == 78, $"expected EX_CONFIG (78)\n{r}");
        string line = Assert.Single((r.Stdout + r.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains(file, line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.False(File.Exists(bed.SocketPath), "netbackd listened with an untrustworthy state file");
    }
}
