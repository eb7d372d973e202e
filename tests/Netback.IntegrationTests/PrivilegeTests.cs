using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>netbackd without CAP_NET_ADMIN says so in one line and exits non-zero, without a stack trace.</summary>
public sealed class PrivilegeTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Without_CAP_NET_ADMIN_netbackd_exits_non_zero_with_one_line()
    {
        // util-linux's setpriv drops the capability from the bounding set before exec, so even root
        // runs netbackd without it (capsh would do too; setpriv is in every Debian base system).
        string? setpriv = Requirements.FindOnPath("setpriv");
        if (setpriv is null)
        {
            Assert.Skip("`setpriv` is not installed (apt-get install util-linux)");
        }
        Testbed bed = await CreateTestbedAsync(guests: 0);

        ChildProcess daemon = bed.Track(bed.Host.Start("netbackd (no CAP_NET_ADMIN)", setpriv,
            "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-net_admin", "--",
            Binaries.Netbackd, "--socket", bed.SocketPath));

        Assert.True(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(15), Ct),
            $"netbackd without CAP_NET_ADMIN still runs after 15 s\n{daemon.Describe()}");
        string all = daemon.Stdout + daemon.Stderr;
        Output.WriteLine($"exit {daemon.ExitCode}:\n{all}");
        Assert.True(daemon.ExitCode != 0, $"netbackd exited 0 without CAP_NET_ADMIN\n{daemon.Describe()}");
        string[] lines = all.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Count(l => l.Contains("CAP_NET_ADMIN", StringComparison.Ordinal)) == 1,
            $"expected exactly one line naming CAP_NET_ADMIN\n{daemon.Describe()}");
        Assert.True(lines.Length == 1, $"expected one line of output, got {lines.Length}\n{daemon.Describe()}");
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));
        Assert.False(File.Exists(bed.SocketPath), $"netbackd left {bed.SocketPath} behind");
    }
}
