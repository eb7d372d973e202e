using System.Runtime.InteropServices;

namespace Ring.Shared.Abi;

/// <summary><c>struct netif_rx_response</c>: 8 bytes; <c>Status</c> &gt; 0 is the byte count.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 2, Size = 8)]
public struct NetifRxResponse
{
    public ushort Id;
    public ushort Offset;
    /// <summary><see cref="NetRxFlags"/>.</summary>
    public ushort Flags;
    public short Status;
}
