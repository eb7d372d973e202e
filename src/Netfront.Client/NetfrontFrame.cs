namespace Netfront.Client;

/// <summary>
/// A received frame from <see cref="NetfrontAsyncDevice.Frames"/>: a copy in a pooled buffer that
/// must be given back with <see cref="Dispose"/> (use <c>using</c>). Until then the buffer is the
/// reader's; afterwards it goes to the next frame, and this value throws
/// <see cref="ObjectDisposedException"/> (a generation number catches stale copies of the struct).
/// </summary>
public readonly struct NetfrontFrame : IDisposable
{
    private readonly FrameBuffer? _buffer;
    private readonly int _generation;

    internal NetfrontFrame(FrameBuffer buffer)
    {
        _buffer = buffer;
        _generation = buffer.Generation;
    }

    /// <summary>The frame's bytes (Ethernet header first).</summary>
    public ReadOnlyMemory<byte> Memory => Live.Data.AsMemory(0, _buffer!.Length);

    /// <summary>The frame's bytes as a span.</summary>
    public ReadOnlySpan<byte> Span => Live.Data.AsSpan(0, _buffer!.Length);

    /// <summary>Length in bytes.</summary>
    public int Length => Live.Length;

    /// <summary>The queue it arrived on.</summary>
    public int Queue => Live.Queue;

    private FrameBuffer Live
    {
        get
        {
            if (_buffer is null || Volatile.Read(ref _buffer.Generation) != _generation)
            {
                throw new ObjectDisposedException(nameof(NetfrontFrame), "the frame was returned to its pool");
            }
            return _buffer;
        }
    }

    /// <summary>Gives the buffer back to its queue's pool. Idempotent, from any thread.</summary>
    public void Dispose() => _buffer?.Return(_generation);
}
