using System.Collections.Concurrent;

namespace Netfront.Client;

/// <summary>
/// A queue's receive buffers, all allocated up front: the driver's thread rents one per received
/// frame, readers return them from any thread. A ConcurrentQueue of a fixed population reuses its
/// segment once it has grown to hold them all, so the steady state allocates nothing. When it runs
/// dry the driver stops taking frames off the RX ring (back-pressure: the backend holds them) and a
/// return wakes it (<see cref="Returned"/>).
/// </summary>
internal sealed class FramePool
{
    private readonly ConcurrentQueue<FrameBuffer> _free = new();
    private int _available;

    public FramePool(int count, int bufferSize, int queue)
    {
        BufferSize = bufferSize;
        Count = count;
        for (int i = 0; i < count; i++)
        {
            _free.Enqueue(new FrameBuffer(this, bufferSize) { Queue = queue });
        }
        _available = count;
    }

    /// <summary>The size of every buffer: the largest frame it takes.</summary>
    public int BufferSize { get; }

    /// <summary>Buffers in all.</summary>
    public int Count { get; }

    /// <summary>Buffers free now.</summary>
    public int Available => Volatile.Read(ref _available);

    /// <summary>Called after each return (to wake a driver starved of buffers).</summary>
    public Action? Returned { get; set; }

    /// <summary>A free buffer; only when <see cref="Available"/> said there is one.</summary>
    public FrameBuffer Rent()
    {
        if (!_free.TryDequeue(out var buffer))
        {
            throw new InvalidOperationException("the frame pool is empty");
        }
        Interlocked.Decrement(ref _available);
        return buffer;
    }

    public void Return(FrameBuffer buffer)
    {
        _free.Enqueue(buffer);
        Interlocked.Increment(ref _available);
        Returned?.Invoke();
    }
}
