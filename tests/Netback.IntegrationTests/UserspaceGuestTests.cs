using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// samples/UserspaceGuest: a process that is the guest by itself, no TAP on its side, built on
/// Netfront.Client's async API. The host pings it and round-trips UDP through its echo port, via
/// netbackd and the vif's TAP.
/// </summary>
public sealed class UserspaceGuestTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task The_sample_guest_answers_ping_and_udp_echo_from_the_host()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        await bed.StartDaemonAsync(Ct);
        ChildProcess guest = bed.Track(bed.Guests[0].Start("userspace-guest", Binaries.UserspaceGuest,
            "--socket", bed.SocketPath, "--address", $"{net}.2", "--udp-echo-port", "7"));
        string line = await guest.WaitForLineAsync(l => l.StartsWith("guest ", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
        string vif = line.Split(' ')[1];
        await bed.AddHostAddressAsync(vif, $"{net}.1/24", Ct);

        await bed.PingAsync(bed.Host, $"{net}.2", Ct);

        const string Payload = "through-netback";
        string script = "import socket,sys;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout(3);" +
            $"s.sendto(b'{Payload}',('{net}.2',7));d,a=s.recvfrom(2048);print(d.decode(),a[0],a[1])";
        ProcessResult udp = await bed.Host.RunAsync(TimeSpan.FromSeconds(20), Ct, "python3", "-c", script);
        Assert.True(udp.ExitCode == 0, $"the UDP echo did not come back\n{udp}\n{guest.Describe()}");
        Assert.Equal($"{Payload} {net}.2 7", udp.Stdout.Trim());
        Output.WriteLine($"udp echo: {udp.Stdout.Trim()}");
        Assert.False(guest.HasExited, $"the sample guest exited\n{guest.Describe()}");
    }
}
