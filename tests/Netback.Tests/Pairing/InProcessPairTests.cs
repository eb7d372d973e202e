using Netback.Tests.Daemon;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Pairing;

/// <summary>The real frontend library paired with the real backend in-process (no root, no TAP).</summary>
public sealed class InProcessPairTests
{
    [Fact]
    public async Task A_frame_crosses_the_rings_both_ways()
    {
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        Assert.Equal("vif1.0", device.VifName);
        DaemonTestKit.AssertPassesFramesBothWays(backend, device, marker: 0x5a);
    }
}
