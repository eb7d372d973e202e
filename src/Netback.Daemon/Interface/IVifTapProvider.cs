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
    /// </summary>
    TapDevice Create(string name, int queues, int mtu, string? bridge, OffloadFeatures rxOffloads);

    /// <summary>Is a network device of this name present already?</summary>
    bool Exists(string name);
}
