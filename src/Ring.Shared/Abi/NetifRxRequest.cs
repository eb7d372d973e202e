using System.Runtime.InteropServices;

namespace Ring.Shared.Abi;

/// <summary><c>struct netif_rx_request</c>: a posted receive buffer, 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 2, Size = 8)]
public struct NetifRxRequest
{
    public ushort Id;
    public ushort Pad;
    public uint Gref;
}
