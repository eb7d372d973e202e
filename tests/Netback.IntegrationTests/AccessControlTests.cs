using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// Netback:Access with a real netbackd and a real netfront run as another uid (setpriv): the socket
/// has the configured mode and group on disk, a uid outside the policy is refused at accept, a
/// group member is let in but held to its uid's rule (even for the vif declared for it), and neither
/// leaves anything behind.
/// </summary>
public sealed class AccessControlTests(ITestOutputHelper output) : IntegrationTest(output)
{
    private const string Nobody = "65534";

    /// <summary>A gid no distribution hands out, so no real group's members are let in by accident.</summary>
    private const string PolicyGid = "64999";

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task A_uid_outside_the_policy_is_refused_with_the_reason_and_nothing_is_created()
    {
        string? setpriv = Requirements.FindOnPath("setpriv");
        if (setpriv is null)
        {
            Assert.Skip("`setpriv` is not installed (apt-get install util-linux)");
        }
        Testbed bed = await CreateTestbedAsync(guests: 0);
        // The temp dir is 0700; the other uid must reach the socket for the policy, not the
        // directory, to be what refuses it. Mode 0666 likewise leaves the decision to the policy.
        File.SetUnixFileMode(bed.TempDir, (UnixFileMode)Convert.ToInt32("755", 8));
        ChildProcess daemon = await bed.StartDaemonAsync(Ct,
            "--Netback:SocketMode", "0666",
            "--Netback:SocketGroup", PolicyGid,
            "--Netback:Access:AllowedGids:0", PolicyGid,
            "--Netback:Access:Rules:0:Uid", Nobody,
            "--Netback:Access:Rules:0:MaxVifs", "0",
            // A vif declared for it, so what refuses its Connect below is its rule's limit, not a missing declaration.
            "--Netback:Vifs:0:DomId", "3", "--Netback:Vifs:0:Uid", Nobody);

        ProcessResult stat = await bed.Host.RunAsync(TimeSpan.FromSeconds(10), Ct, "stat", "-c", "%a %g %F", bed.SocketPath);
        Assert.Equal($"666 {PolicyGid} socket", stat.Stdout.Trim());

        // Not in the allowed group: refused at accept.
        ProcessResult outsider = await NetfrontAsAsync(bed, setpriv, "--clear-groups");
        Output.WriteLine(outsider.ToString());
        Assert.NotEqual(0, outsider.ExitCode);
        Assert.Contains($"uid {Nobody} (gid {Nobody}) is not allowed by Netback:Access", outsider.Stderr, StringComparison.Ordinal);
        await daemon.WaitForLineAsync(l => l.Contains($"Refused control connection from pid", StringComparison.Ordinal)
            && l.Contains($"uid {Nobody} gid {Nobody}: uid {Nobody}", StringComparison.Ordinal), TimeSpan.FromSeconds(10), Ct);

        // A supplementary group (SO_PEERGROUPS) lets it in; its rule (0 vifs) refuses the Connect.
        ProcessResult member = await NetfrontAsAsync(bed, setpriv, "--groups", PolicyGid);
        Output.WriteLine(member.ToString());
        Assert.NotEqual(0, member.ExitCode);
        Assert.Contains($"uid {Nobody} has 0 vifs, the limit is 0", member.Stderr, StringComparison.Ordinal);
        await daemon.WaitForLineAsync(l => l.Contains($"uid {Nobody} has 0 vifs, the limit is 0", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), Ct);

        ProcessResult links = await bed.Host.IpAsync(Ct, "-o", "link", "show");
        Assert.True(links.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).All(l => l.Contains(": lo:", StringComparison.Ordinal)),
            $"a refused peer left a device behind:\n{links.Stdout}");
        Assert.False(daemon.HasExited, $"netbackd exited\n{daemon.Describe()}");
    }

    private static Task<ProcessResult> NetfrontAsAsync(Testbed bed, string setpriv, params string[] groups) =>
        bed.Host.RunAsync(TimeSpan.FromSeconds(30), Ct,
            [setpriv, "--reuid", Nobody, "--regid", Nobody, .. groups, "--",
             Binaries.Netfront, "attach", "--socket", bed.SocketPath, "--name", "nbacc0"]);
}
