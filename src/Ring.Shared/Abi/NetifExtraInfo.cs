using System.Runtime.InteropServices;

namespace Ring.Shared.Abi;

/// <summary>
/// <c>struct netif_extra_info</c>: 8 bytes, a type, flags, and a 6-byte union of which the GSO
/// member is the one netif uses on the data path (the others are named by offset for tests).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
public struct NetifExtraInfo
{
    [FieldOffset(0)] public byte Type;
    [FieldOffset(1)] public byte Flags;
    /// <summary><c>u.gso.size</c>: the MSS.</summary>
    [FieldOffset(2)] public ushort GsoSize;
    /// <summary><c>u.gso.type</c>: <see cref="XenNetifGsoType"/>.</summary>
    [FieldOffset(4)] public byte GsoType;
    [FieldOffset(5)] public byte GsoPad;
    [FieldOffset(6)] public ushort GsoFeatures;
}

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

/// <summary>XEN_NETIF_GSO_TYPE_*.</summary>
public enum XenNetifGsoType : byte
{
    None = 0,
    TcpV4 = 1,
    TcpV6 = 2,
}

public static class XenNetifExtraFlags
{
    /// <summary>XEN_NETIF_EXTRA_FLAG_MORE: another extra follows.</summary>
    public const byte More = 1;
}
