namespace Netback.Daemon.Diagnostics;

/// <summary>Why a guest-TX packet was dropped without disabling the vif (netback's non-fatal errors).</summary>
internal enum TxDropReason
{
    /// <summary>First slot smaller than an Ethernet header.</summary>
    Runt,
    /// <summary>Larger than the vif's MTU allows (and not GSO).</summary>
    Oversize,
    /// <summary>More than XEN_NETIF_NR_SLOTS_MIN slots, fewer than fatal_skb_slots.</summary>
    TooManySlots,
    /// <summary>A later slot claims more bytes than the first slot's total leaves.</summary>
    SlotSizeMismatch,
    /// <summary>A GSO extra without feature-gso-* negotiated.</summary>
    GsoNotNegotiated,
    /// <summary>csum_blank or GSO set, but no Ethernet/IP/TCP-or-UDP headers within the first 256 bytes.</summary>
    HeadersUnparsable,
    /// <summary>A GSO type that does not match the frame (TCPV4 on IPv6, or not TCP at all).</summary>
    GsoTypeMismatch,
    /// <summary>A GSO size that no segment of a 64 KiB frame can have (beyond 65535 minus the headers).</summary>
    GsoSizeOutOfRange,
    /// <summary>The TAP refused the frame (down, or its queue full).</summary>
    TapWriteFailed,
    /// <summary>Refused by the anti-spoofing filter (the reason is counted in <see cref="QueueCounters.SpoofDrops"/>).</summary>
    Spoofed,
    /// <summary>tx-copy=map: a page of the packet could not be mapped (mmap failed, e.g. ENOMEM: out of mappings).</summary>
    GrantMapFailed,
    Count,
}
