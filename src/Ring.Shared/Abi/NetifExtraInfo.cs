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
