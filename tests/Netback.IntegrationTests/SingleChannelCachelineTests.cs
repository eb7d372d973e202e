using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>One event channel per queue (kick and call shared by TX and RX) with the cacheline ring layout.</summary>
public sealed class SingleChannelCachelineTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Single_event_channel_with_cacheline_layout_carries_ping_both_ways()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);

        Frontend front = await bed.AttachAsync(bed.Guests[0], $"{net}.2/24", Ct, "--single-event-channel", "--layout", "cacheline");
        Output.WriteLine(front.AttachedLine);
        Assert.Equal("cacheline", front.Negotiated("layout"));
        // The daemon's connect line names what it mapped: this checks the single channel was used.
        string connected = await daemon.WaitForLineAsync(l => l.Contains($"{front.Vif} connected", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
        Assert.Contains("single event channels", connected, StringComparison.Ordinal);
        Assert.Contains("layout cacheline", connected, StringComparison.Ordinal);

        await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);
        await bed.PingAsync(bed.Guests[0], $"{net}.1", Ct);
        await bed.PingAsync(bed.Host, $"{net}.2", Ct);
    }
}
