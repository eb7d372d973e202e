using Ring.Shared.Abi;
using Ring.Shared.Rings;

namespace Netback.Daemon.DataPath;

/// <summary>The TX ring as a <see cref="ITxSlotSource"/>: slot after slot from <see cref="Index"/>, each copied once.</summary>
internal struct RingSlotSource : ITxSlotSource
{
    private readonly BackRing<NetifTxRequest, NetifTxResponse> _ring;

    public RingSlotSource(BackRing<NetifTxRequest, NetifTxResponse> ring, uint index)
    {
        _ring = ring;
        Index = index;
    }

    /// <summary>The ring index of the next slot.</summary>
    public uint Index { get; private set; }

    public NetifTxRequest Next() => _ring.CopyRequest(Index++);
}
