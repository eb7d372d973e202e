using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// <c>bridge=</c> with a real bridge: a vif whose MTU would lower the bridge's (which, below 1280,
/// also deletes the bridge's IPv6 addresses) is refused before any TAP exists, whoever asks (root
/// here); so is a <c>bridge=</c> that names no bridge. The bridge keeps its MTU and its addresses.
/// </summary>
public sealed class BridgeMtuTests(ITestOutputHelper output) : IntegrationTest(output)
{
    private const string Bridge = "nbbr0";
    private const string Ipv6 = "fd00:4e42::1/64";

    [Fact(Timeout = 120_000)]
    public async Task A_vif_mtu_below_the_bridges_is_refused_and_the_bridge_keeps_its_mtu_and_ipv6_address()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];
        await bed.Host.IpAsync(Ct, "link", "add", Bridge, "type", "bridge");
        await bed.Host.IpAsync(Ct, "link", "set", Bridge, "mtu", "1500", "up");
        await bed.Host.IpAsync(Ct, "-6", "addr", "add", Ipv6, "dev", Bridge, "nodad");
        await bed.Host.IpAsync(Ct, "addr", "add", $"{net}.1/24", "dev", Bridge);
        await bed.Host.IpAsync(Ct, "link", "add", "nbveth0", "type", "veth", "peer", "name", "nbveth1");
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);

        ProcessResult low = await AttachOnceAsync(bed, guest, $"bridge={Bridge},mtu=68");
        Assert.True(low.ExitCode != 0, $"a vif with mtu=68 joined {Bridge}\n{low}\n{await BridgeStateAsync(bed)}");
        Assert.Contains($"mtu 68 would lower bridge {Bridge}'s MTU (1500)", low.Stderr, StringComparison.Ordinal);
        await AssertBridgeIntactAsync(bed);

        ProcessResult lower = await AttachOnceAsync(bed, guest, $"bridge={Bridge},mtu=1400");
        Assert.Contains($"mtu 1400 would lower bridge {Bridge}'s MTU (1500)", lower.Stderr, StringComparison.Ordinal);
        await AssertBridgeIntactAsync(bed);

        ProcessResult notBridge = await AttachOnceAsync(bed, guest, "bridge=nbveth0");
        Assert.Contains("bridge=nbveth0: nbveth0 is not a bridge", notBridge.Stderr, StringComparison.Ordinal);
        ProcessResult missing = await AttachOnceAsync(bed, guest, "bridge=nbnone0");
        Assert.Contains("bridge=nbnone0: there is no network device nbnone0", missing.Stderr, StringComparison.Ordinal);
        ProcessResult links = await bed.Host.IpAsync(Ct, "-o", "link", "show");
        Assert.DoesNotContain("vif", links.Stdout, StringComparison.Ordinal); // no TAP left by any refusal

        // At the bridge's MTU the vif joins it and traffic flows; the bridge is unchanged.
        await bed.AttachAsync(guest, $"{net}.2/24", Ct, "--vif", $"bridge={Bridge}");
        await bed.PingAsync(guest, $"{net}.1", Ct);
        await AssertBridgeIntactAsync(bed);
        Assert.False(daemon.HasExited, $"netbackd exited\n{daemon.Describe()}");
    }

    /// <summary>A netfront that must be refused: its result once it exits; if it attaches instead, the failure shows what that did to the bridge.</summary>
    private static async Task<ProcessResult> AttachOnceAsync(Testbed bed, NetNamespace guest, string vifSpec)
    {
        ChildProcess netfront = bed.Track(guest.Start($"netfront --vif {vifSpec}", Binaries.Netfront,
            "attach", "--socket", bed.SocketPath, "--name", "eth0", "--no-reconnect", "--vif", vifSpec));
        try
        {
            string attached = await netfront.WaitForLineAsync(l => l.StartsWith("attached ", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
            string bridge = await BridgeStateAsync(bed);
            await netfront.StopAsync(TimeSpan.FromSeconds(3));
            Assert.Fail($"--vif {vifSpec} was admitted ({attached}); {Bridge} is now:\n{bridge}");
        }
        catch (InvalidOperationException)
        {
            // It exited without attaching: the refusal this test wants.
        }
        return netfront.Result();
    }

    private static async Task AssertBridgeIntactAsync(Testbed bed)
    {
        string state = await BridgeStateAsync(bed);
        Assert.True(state.Contains("mtu 1500", StringComparison.Ordinal), $"{Bridge}'s MTU changed:\n{state}");
        Assert.True(state.Contains(Ipv6, StringComparison.Ordinal), $"{Bridge} lost its IPv6 address:\n{state}");
    }

    private static async Task<string> BridgeStateAsync(Testbed bed) =>
        (await bed.Host.IpAsync(Ct, "addr", "show", "dev", Bridge)).Stdout;
}
