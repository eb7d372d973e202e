using System.Runtime.InteropServices;

namespace Netback.Daemon.DataPath;

/// <summary>
/// The guest-RX frame of the null data path, in native memory shared read-only by every queue:
/// broadcast, from the backend MAC fe:ff:ff:ff:ff:ff, EtherType 0x88B5 ("local experimental"), zero payload.
/// </summary>
internal sealed unsafe class NullFrame : IDisposable
{
    private byte* _frame;

    /// <param name="size">0: no guest RX; else 60..4096 bytes.</param>
    public NullFrame(int size)
    {
        Size = size;
        if (size > 0)
        {
            _frame = (byte*)NativeMemory.AllocZeroed((nuint)size);
            new Span<byte>(_frame, 6).Fill(0xFF);
            _frame[6] = 0xFE;
            new Span<byte>(_frame + 7, 5).Fill(0xFF);
            _frame[12] = 0x88;
            _frame[13] = 0xB5;
        }
    }

    public int Size { get; }

    /// <summary>The I/O strategy that serves this frame (valid until <see cref="Dispose"/>).</summary>
    public NullFrameIo Io => new(_frame, Size);

    public void Dispose()
    {
        if (_frame != null)
        {
            NativeMemory.Free(_frame);
            _frame = null;
        }
    }
}
