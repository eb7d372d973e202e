using Netback.Ring.Tap;

namespace Netback.Daemon.Interface;

/// <summary>
/// Where a vif's netdev comes from. The daemon uses <see cref="KernelTapProvider"/>; the unit tier
/// substitutes socketpairs so a frontend and this backend can be paired in-process without root.
/// </summary>
internal interface IVifTapProvider
{
    /// <summary>Creates the vif's device with one queue fd per vif queue, configured and up.</summary>
    TapDevice Create(string name, int queues, int mtu, string? bridge);

    /// <summary>Is a network device of this name present already?</summary>
    bool Exists(string name);
}
