using System.Runtime.InteropServices;

namespace Ring.Shared.Abi;

/// <summary>XEN_NETIF_EXTRA_TYPE_*.</summary>
public enum XenNetifExtraType : byte
{
    None = 0,
    Gso = 1,
    McastAdd = 2,
    McastDel = 3,
    Hash = 4,
    Xdp = 5,
    /// <summary>XEN_NETIF_EXTRA_TYPE_MAX in Linux's copy of netif.h: one past the last type.</summary>
    Max = 6,
}
