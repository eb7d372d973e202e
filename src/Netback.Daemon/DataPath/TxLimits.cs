using Ring.Shared.Offload;

namespace Netback.Daemon.DataPath;

/// <summary>What a guest-TX packet is checked against: the announced data pages, the vif's MTU, the negotiated offloads.</summary>
internal readonly record struct TxLimits(uint DataPageFirst, uint PageCount, int MaxFrameSize, OffloadFeatures Offloads)
{
    public bool IsDataGref(uint gref) => gref >= DataPageFirst && gref < PageCount;
}
