namespace Netfront.Client;

/// <summary>
/// One pooled receive buffer of a <see cref="FramePool"/>. <see cref="Generation"/> counts returns:
/// a <see cref="NetfrontFrame"/> holds the generation it was handed out at, so only the first
/// <see cref="Return"/> of a frame gives the buffer back.
/// </summary>
internal sealed class FrameBuffer(FramePool pool, int size)
{
    public readonly byte[] Data = GC.AllocateUninitializedArray<byte>(size, pinned: false);

    public int Length;

    public int Queue;

    public int Generation;

    public void Return(int generation)
    {
        if (Interlocked.CompareExchange(ref Generation, generation + 1, generation) == generation)
        {
            pool.Return(this);
        }
    }
}
