namespace Ring.Shared.Abi;

/// <summary>NETTXF_*: guest-TX slot flags.</summary>
[Flags]
public enum NetTxFlags : ushort
{
    None = 0,
    CsumBlank = 1 << 0,
    DataValidated = 1 << 1,
    MoreData = 1 << 2,
    ExtraInfo = 1 << 3,
}

/// <summary>NETRXF_*: guest-RX response flags (note the csum bits are swapped compared with TX).</summary>
[Flags]
public enum NetRxFlags : ushort
{
    None = 0,
    DataValidated = 1 << 0,
    CsumBlank = 1 << 1,
    MoreData = 1 << 2,
    ExtraInfo = 1 << 3,
    GsoPrefix = 1 << 4,
}

/// <summary>NETIF_RSP_*: response status codes.</summary>
public static class NetifStatus
{
    public const short Dropped = -2;
    public const short Error = -1;
    public const short Okay = 0;
    /// <summary>The response to an extra-info slot.</summary>
    public const short Null = 1;
}

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
}
