using System.Runtime.InteropServices;

namespace Ring.Shared.Abi;

/// <summary><c>struct netif_tx_response</c>: 4 bytes (the slot stays 12 bytes).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 2, Size = 4)]
public struct NetifTxResponse
{
    public ushort Id;
    /// <summary><see cref="NetifStatus"/>.</summary>
    public short Status;
}
