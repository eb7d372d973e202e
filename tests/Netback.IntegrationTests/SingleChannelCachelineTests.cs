using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// One event channel per queue (kick and call shared by TX and RX) with each ring layout: every layout
/// carries traffic, with the same slot count at the same ring-page-order (the cacheline ones on more pages).
/// </summary>
public sealed class SingleChannelCachelineTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Theory(Timeout = IntegrationTest.TimeoutMs)]
    [InlineData("cacheline", "0")]
    [InlineData("cacheline-slot", "0")]
    [InlineData("xen", "1")]
    [InlineData("cacheline-slot", "1")]
    public async Task Single_event_channel_with_each_layout_carries_ping_both_ways(string layout, string order)
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);

        Frontend front = await bed.AttachAsync(bed.Guests[0], $"{net}.2/24", Ct, "--single-event-channel", "--layout", layout, "--ring-page-order", order);
        Output.WriteLine(front.AttachedLine);
        Assert.Equal(layout, front.Negotiated("layout"));
        // The daemon's connect line names what it mapped: this checks the single channel was used.
        string connected = await daemon.WaitForLineAsync(l => l.Contains($"{front.Vif} connected", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
        Assert.Contains("single event channels", connected, StringComparison.Ordinal);
        Assert.Contains($"layout {layout},", connected, StringComparison.Ordinal);
        int slots = 256 << int.Parse(order, System.Globalization.CultureInfo.InvariantCulture); // Xen's count at that order, in every layout
        Assert.Contains($"({slots} TX / {slots} RX slots)", connected, StringComparison.Ordinal);

        await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);
        await bed.PingAsync(bed.Guests[0], $"{net}.1", Ct);
        await bed.PingAsync(bed.Host, $"{net}.2", Ct);
    }
}
