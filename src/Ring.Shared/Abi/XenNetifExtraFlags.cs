using System.Runtime.InteropServices;

namespace Ring.Shared.Abi;

public static class XenNetifExtraFlags
{
    /// <summary>XEN_NETIF_EXTRA_FLAG_MORE: another extra follows.</summary>
    public const byte More = 1;
}
