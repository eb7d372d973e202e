using System.Numerics;
using Ring.Shared.Abi;

namespace Ring.Shared.Rings;

/// <summary>Which ring: its entry is the union of its request and response.</summary>
public enum RingKind
{
    /// <summary>Guest TX: 12-byte request, 4-byte response.</summary>
    Tx,
    /// <summary>Guest RX: 8-byte request and response.</summary>
    Rx,
}
