using Netback.Daemon.DataPath;
using Ring.Shared.Abi;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>Slots for <see cref="TxRequestReader"/> from an array: no ring, no shared memory.</summary>
internal struct ArraySlotSource(NetifTxRequest[] slots) : ITxSlotSource
{
    public int Taken { get; private set; }

    public NetifTxRequest Next() => slots[Taken++];
}
