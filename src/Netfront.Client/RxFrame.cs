using Ring.Shared.Offload;
using Ring.Shared.Rings;

namespace Netfront.Client;

/// <summary>
/// A received frame as scattered over its RX pages (zero-length data slots left out), with the
/// offload metadata of its first slot and GSO extra. Valid only during
/// <see cref="IRxFrameSink.OnFrame"/>.
/// </summary>
public readonly ref struct RxFrame
{
    /// <summary>
    /// Header bytes copied out when the first segment is short, for <see cref="ToVirtio"/> to parse
    /// headers that straddle segments (a backend may split a frame anywhere).
    /// </summary>
    private const int HeaderCopyLength = 256;

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
    /// The <see cref="VirtioNetHdr"/> to write before this frame to a TAP (IFF_VNET_HDR), as
    /// netfront's <c>checksum_setup</c> and <c>xennet_set_skb_gso</c> make it:
    /// <see cref="NetifOffload.ToVirtio"/> for the guest-RX ring, the headers parsed from the first
    /// segment or, when it is short, from a private copy of the first bytes. Anything but
    /// <see cref="NetifOffloadResult.Mapped"/>: the headers do not bear the flags out (not TCP/UDP
    /// over IPv4/IPv6, GSO that is not TCP of the stated IP version, GSO without csum_blank), and
    /// the frame is to be dropped.
    /// </summary>
    public NetifOffloadResult ToVirtio(out VirtioNetHdr vnet)
    {
        ReadOnlySpan<byte> head = Segments.Length == 0 ? default : Segments[0].Span;
        // Only a csum_blank frame's headers are read on this ring (GSO without it is refused unread).
        if (Offload.CsumBlank && head.Length < HeaderCopyLength && Segments.Length > 1)
        {
            Span<byte> copy = stackalloc byte[HeaderCopyLength];
            return NetifOffload.ToVirtio(Offload, copy[..CopyPrefix(copy)], RingKind.Rx, out vnet, out _);
        }
        return NetifOffload.ToVirtio(Offload, head, RingKind.Rx, out vnet, out _);
    }

    /// <summary>
    /// Copies the whole frame into <paramref name="destination"/>, which must hold
    /// <see cref="Length"/> bytes; returns <see cref="Length"/>.
    /// </summary>
    public int CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"the frame is {Length} bytes, the destination {destination.Length}", nameof(destination));
        }
        return CopyPrefix(destination);
    }

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
