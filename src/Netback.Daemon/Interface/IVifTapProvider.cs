using Ring.Shared.Offload;
using Ring.Shared.Tap;

namespace Netback.Daemon.Interface;

/// <summary>
/// Where a vif's netdev comes from. The daemon uses <see cref="KernelTapProvider"/>; the unit tier
/// substitutes socketpairs so a frontend and this backend can be paired in-process without root.
/// </summary>
internal interface IVifTapProvider
{
    /// <summary>
    /// Creates the vif's device with one queue fd per vif queue, configured and up. Every frame on it
    /// carries a virtio_net_hdr (IFF_VNET_HDR); <paramref name="rxOffloads"/> is what the kernel may
    /// hand the backend (TUNSETOFFLOAD): partial checksums, 64 KiB TCP frames.
    /// <paramref name="bridge"/> is the Linux bridge the vif's hotplug script (vif-bridge) will put
    /// it on, checked before the device exists (<see cref="BridgePort"/>); null: none to check.
    /// </summary>
    TapDevice Create(string name, int queues, int mtu, string? bridge, OffloadFeatures rxOffloads);

    /// <summary>
    /// Are this provider's devices netdevs the host sees, on which hotplug scripts run (as Xen's
    /// udev rules and libxl run them on netback's)? Not for devices that are no netdev at all.
    /// </summary>
    bool RunsHotplugScripts { get; }

    /// <summary>Is a network device of this name present already?</summary>
    bool Exists(string name);
}
