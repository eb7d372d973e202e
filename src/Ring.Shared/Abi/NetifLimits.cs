namespace Ring.Shared.Abi;

/// <summary>Protocol limits from netif.h and Linux netback.</summary>
public static class NetifLimits
{
    /// <summary>XEN_PAGE_SIZE: ring and grant pages are always 4 KiB.</summary>
    public const int PageSize = 4096;
    /// <summary>XEN_NETIF_NR_SLOTS_MIN: every backend accepts packets of up to this many slots.</summary>
    public const int NrSlotsMin = 18;
    /// <summary>Linux netback's fatal_skb_slots default: this many slots or more disables the vif.</summary>
    public const int FatalSkbSlots = 20;
    /// <summary>XEN_NETIF_MAX_TX_SIZE.</summary>
    public const int MaxTxSize = 0xFFFF;
    /// <summary>ETH_HLEN: a first slot smaller than this is dropped.</summary>
    public const int EthHeaderLength = 14;
    /// <summary>The largest ring-page-order this implementation negotiates (16 pages).</summary>
    public const int MaxRingPageOrder = 4;
    /// <summary>The vif MTU when the toolstack sets none (xenstore <c>mtu</c> absent: 1500).</summary>
    public const int DefaultMtu = 1500;
    /// <summary>One 802.1Q tag, which a frame may carry beyond its MTU.</summary>
    public const int VlanTagLength = 4;

    /// <summary>
    /// The largest frame without GSO a vif of this MTU carries: MTU + Ethernet header + one VLAN tag.
    /// Guest TX beyond it is dropped; guest RX posts enough pages for it.
    /// </summary>
    public static int MaxFrameSize(int mtu) => mtu + EthHeaderLength + VlanTagLength;
}
