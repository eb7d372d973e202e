namespace Netback.Daemon.Diagnostics;

/// <summary>Why <see cref="SpoofFilter"/> refused a guest-TX frame; <see cref="None"/> lets it pass.</summary>
internal enum SpoofDropReason
{
    None,
    /// <summary>Ethernet source MAC is not the vif's.</summary>
    SourceMac,
    /// <summary>ARP sender hardware address is not the vif's MAC.</summary>
    ArpSenderMac,
    /// <summary>ARP (IPv4 over Ethernet) sender protocol address not in <c>ip=</c>.</summary>
    ArpSenderIp,
    /// <summary>IPv4 source not in <c>ip=</c> (and not a DHCP client packet).</summary>
    Ipv4Source,
    /// <summary>IPv6 source neither in <c>ip=</c>, nor the MAC's EUI-64 link-local, nor :: where DAD allows it.</summary>
    Ipv6Source,
    /// <summary>Neighbour solicitation/advertisement whose target address the guest may not claim.</summary>
    NdpTarget,
    /// <summary>An NDP source/target link-layer address option that is not the vif's MAC.</summary>
    NdpLinkLayer,
    /// <summary>Router advertisement or redirect: a vif with <c>ip=</c> is a host, not a router (RA guard).</summary>
    NdpRouterMessage,
    /// <summary>Two or more VLAN tags (only one 802.1Q/802.1ad tag is looked through).</summary>
    StackedVlan,
    /// <summary>A header the checks need is cut off, malformed, or beyond the inspected prefix.</summary>
    Malformed,
    Count,
}
