using System.Runtime.InteropServices;

namespace Ring.Shared.Abi;

/// <summary><c>struct netif_tx_request</c> (xen/io/netif.h): one guest-TX slot, 12 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 2, Size = 12)]
public struct NetifTxRequest
{
    /// <summary>Grant reference of the data page (here: page index in the grant area).</summary>
    public uint Gref;
    /// <summary>Offset of the data within the page.</summary>
    public ushort Offset;
    /// <summary><see cref="NetTxFlags"/>.</summary>
    public ushort Flags;
    /// <summary>Echoed in the response.</summary>
    public ushort Id;
    /// <summary>First slot: total packet size; later slots: this fragment's size.</summary>
    public ushort Size;
}
