using Ring.Shared.Offload;
using Ring.Shared.Rings;

namespace Netfront.Client;

/// <summary>One data segment of a received frame: a range of a granted RX page.</summary>
public readonly unsafe struct RxSegment
{
    internal RxSegment(byte* data, int length)
    {
        Address = (nint)data;
        Length = length;
    }

    /// <summary>Where the bytes are (inside the shared grant area), e.g. for an iovec.</summary>
    public nint Address { get; }

    /// <summary>Bytes in this segment (1..4096).</summary>
    public int Length { get; }

    /// <summary>The bytes, valid only during the sink call.</summary>
    public ReadOnlySpan<byte> Span => new((void*)Address, Length);
}
