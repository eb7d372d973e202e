using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>A frontend that dies without a word (SIGKILL) must not leave its vif behind.</summary>
public sealed class FrontendKillTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Killed_frontend_leaves_no_tap_and_the_daemon_serves_the_next()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];
        await bed.StartDaemonAsync(Ct);

        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct);
        Assert.Equal("vif1.0", front.Vif);
        Assert.True(await bed.Host.WaitForLinkAsync("vif1.0", present: true, Testbed.StartTimeout, Ct), "vif1.0 did not appear");

        front.Process.SendSignal(Signals.SIGKILL);
        Assert.True(await front.Process.WaitForExitAsync(TimeSpan.FromSeconds(5), Ct), "netfront survived SIGKILL");
        Assert.True(await bed.Host.WaitForLinkAsync("vif1.0", present: false, TimeSpan.FromSeconds(2), Ct),
            "vif1.0 still exists 2 s after its frontend was killed");
        Assert.False(bed.Daemon!.HasExited, $"netbackd exited\n{bed.Daemon.Describe()}");

        Frontend next = await bed.AttachAsync(guest, $"{net}.2/24", Ct);
        await bed.AddHostAddressAsync(next.Vif, $"{net}.1/24", Ct);
        await bed.PingAsync(guest, $"{net}.1", Ct);
    }
}
