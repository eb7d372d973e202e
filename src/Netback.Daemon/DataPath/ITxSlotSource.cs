using Ring.Shared.Abi;

namespace Netback.Daemon.DataPath;

/// <summary>Where <see cref="TxRequestReader"/> takes a packet's next slot from: a private copy each time.</summary>
internal interface ITxSlotSource
{
    /// <summary>Copies the next published slot (RING_COPY_REQUEST) and moves past it.</summary>
    NetifTxRequest Next();
}
