using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>SIGTERM (systemd's stop): frontends are told Closing, TAPs and the socket go, exit 0.</summary>
public sealed class DaemonShutdownTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Sigterm_closes_frontends_removes_tap_and_socket_and_exits_0()
    {
        Testbed bed = await CreateTestbedAsync();
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);
        Frontend front = await bed.AttachAsync(bed.Guests[0], $"{bed.Subnet(0)}.2/24", Ct, "--no-reconnect");
        Assert.True(await bed.Host.WaitForLinkAsync(front.Vif, present: true, Testbed.StartTimeout, Ct), $"{front.Vif} did not appear");

        daemon.SendSignal(Signals.SIGTERM);

        Assert.True(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10), Ct), $"netbackd still runs 10 s after SIGTERM\n{daemon.Describe()}");
        Assert.True(daemon.ExitCode == 0, $"netbackd exited {daemon.ExitCode} after SIGTERM\n{daemon.Describe()}");
        Assert.False(await bed.Host.LinkExistsAsync(front.Vif, Ct), $"{front.Vif} is left after netbackd exited");
        Assert.False(File.Exists(bed.SocketPath), $"{bed.SocketPath} is left after netbackd exited");
        Assert.True(await front.Process.WaitForExitAsync(TimeSpan.FromSeconds(5), Ct),
            $"netfront still runs 5 s after the backend closed\n{front.Process.Describe()}");
        Output.WriteLine($"netfront exited {front.Process.ExitCode} after the backend closed");
    }
}
