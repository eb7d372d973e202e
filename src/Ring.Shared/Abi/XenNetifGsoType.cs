using System.Runtime.InteropServices;

namespace Ring.Shared.Abi;

/// <summary>XEN_NETIF_GSO_TYPE_*.</summary>
public enum XenNetifGsoType : byte
{
    None = 0,
    TcpV4 = 1,
    TcpV6 = 2,
}
