using Netback.IntegrationTests.Support;
using Ring.Shared.Tap;

namespace Netback.IntegrationTests;

/// <summary>A disabled vif drops its carrier (netback's carrier-off), through TUNSETCARRIER on a real TAP.</summary>
public sealed class TapCarrierTests
{
    [Fact]
    public void Carrier_follows_TrySetCarrier_and_the_tap_goes_with_its_fds()
    {
        Requirements.RootAndTools(ping: false);
        string name = $"nbc{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";
        string carrier = $"/sys/class/net/{name}/carrier";
        using (var tap = TapDevice.Create(name, queues: 2))
        {
            NetDevice.SetUp(name, true);
            Assert.Equal("1", File.ReadAllText(carrier).Trim());
            Assert.True(tap.TrySetCarrier(false));
            Assert.Equal("0", File.ReadAllText(carrier).Trim());
            Assert.True(tap.TrySetCarrier(true));
            Assert.Equal("1", File.ReadAllText(carrier).Trim());
        }
        Assert.False(NetDevice.Exists(name));
    }
}
