using Netback.Daemon.Configuration;
using Ring.Shared.Offload;
using Ring.Shared.Tap;

namespace Netback.Daemon.Interface;

/// <summary>
/// Real multi-queue TAPs, configured as netback configures a vif netdev (MAC FE:FF:FF:FF:FF:FF, MTU,
/// offloads, up); where it goes on the host (a bridge, routes, an Open vSwitch port) is its hotplug
/// script's doing (<see cref="VifHotplug"/>).
/// </summary>
internal sealed class KernelTapProvider : IVifTapProvider
{
    public TapDevice Create(string name, int queues, int mtu, string? bridge, OffloadFeatures rxOffloads)
    {
        // Before the TAP exists, so a refusal leaves nothing behind.
        if (bridge is not null && BridgePort.Refusal(bridge, mtu) is { } refusal)
        {
            throw new VifSetupException(refusal);
        }
        var tap = TapDevice.Create(name, queues, vnetHeader: true);
        try
        {
            tap.SetOffload(rxOffloads);
            NetDevice.SetMac(name, XenMac.Backend);
            NetDevice.SetMtu(name, mtu);
            NetDevice.SetUp(name, true);
            return tap;
        }
        catch
        {
            tap.Dispose();
            throw;
        }
    }

    public bool Exists(string name) => NetDevice.Exists(name);

    public bool RunsHotplugScripts => true;
}
