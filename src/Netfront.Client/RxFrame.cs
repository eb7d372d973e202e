using Ring.Shared.Offload;

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

/// <summary>
/// A received frame as scattered over its RX pages (zero-length data slots left out), with the
/// offload metadata of its first slot and GSO extra. Valid only during
/// <see cref="IRxFrameSink.OnFrame"/>.
/// </summary>
public readonly ref struct RxFrame
{
    internal RxFrame(ReadOnlySpan<RxSegment> segments, int length, FrameOffload offload)
    {
        Segments = segments;
        Length = length;
        Offload = offload;
    }

    /// <summary>The data in order; at least one segment.</summary>
    public ReadOnlySpan<RxSegment> Segments { get; }

    /// <summary>Total bytes of the frame.</summary>
    public int Length { get; }

    /// <summary>The csum flags of the first slot and the GSO extra, if any.</summary>
    public FrameOffload Offload { get; }

    /// <summary>
    /// Copies the first bytes of the frame (up to <paramref name="destination"/>'s length) and
    /// returns how many: for parsing headers that may straddle segments.
    /// </summary>
    public int CopyPrefix(Span<byte> destination)
    {
        int copied = 0;
        foreach (var segment in Segments)
        {
            if (copied == destination.Length)
            {
                break;
            }
            int n = Math.Min(segment.Length, destination.Length - copied);
            segment.Span[..n].CopyTo(destination[copied..]);
            copied += n;
        }
        return copied;
    }
}
