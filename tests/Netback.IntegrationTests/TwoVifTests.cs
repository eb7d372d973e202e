using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>One daemon serves two guests at once, each on its own vif and subnet.</summary>
public sealed class TwoVifTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Two_guests_ping_the_host_side_at_the_same_time()
    {
        Testbed bed = await CreateTestbedAsync(guests: 2);
        await bed.StartDaemonAsync(Ct);

        Frontend first = await bed.AttachAsync(bed.Guests[0], $"{bed.Subnet(0)}.2/24", Ct);
        Frontend second = await bed.AttachAsync(bed.Guests[1], $"{bed.Subnet(1)}.2/24", Ct);
        Assert.Equal(["vif1.0", "vif2.0"], new[] { first.Vif, second.Vif }.Order());
        await bed.AddHostAddressAsync(first.Vif, $"{bed.Subnet(0)}.1/24", Ct);
        await bed.AddHostAddressAsync(second.Vif, $"{bed.Subnet(1)}.1/24", Ct);

        await Task.WhenAll(
            bed.PingAsync(bed.Guests[0], $"{bed.Subnet(0)}.1", Ct),
            bed.PingAsync(bed.Guests[1], $"{bed.Subnet(1)}.1", Ct));
    }
}
