using System.Runtime.InteropServices;
using Ring.Shared.Abi;
using Ring.Shared.Interop;
using Ring.Shared.Offload;

namespace Netback.Daemon.Interface;

/// <summary>
/// Guest RX for <c>Netback:NullDataPath</c>: stands in for <c>readv</c> on the TAP and "reads" a
/// fixed frame (broadcast, EtherType 0x88B5 "local experimental", zero payload) into the iovecs the
/// RX path prepared, so the ring, validation and notification work is measured without the kernel.
/// </summary>
internal sealed unsafe class NullRxSource : IDisposable
{
    private readonly int _frameSize;
    private byte* _frame;

    public NullRxSource(int frameSize)
    {
        _frameSize = frameSize;
        if (frameSize > 0)
        {
            _frame = (byte*)NativeMemory.AllocZeroed((nuint)frameSize);
            new Span<byte>(_frame, 6).Fill(0xFF);
            _frame[6] = 0xFE; // the backend MAC fe:ff:ff:ff:ff:ff as source
            new Span<byte>(_frame + 7, 5).Fill(0xFF);
            _frame[12] = 0x88;
            _frame[13] = 0xB5;
        }
    }

    /// <summary>
    /// Fills iov[0] (the virtio_net_hdr) and iov[1] (the first posted page) like readv would; 0 when
    /// no RX is to be generated (the RX path then treats the TAP as empty).
    /// </summary>
    public nint Read(Uio.iovec* iov)
    {
        if (_frameSize == 0)
        {
            return 0;
        }
        *(VirtioNetHdr*)iov[0].iov_base = default;
        Buffer.MemoryCopy(_frame, iov[1].iov_base, NetifLimits.PageSize, _frameSize);
        return VirtioNetHdr.Size + _frameSize;
    }

    public void Dispose()
    {
        if (_frame != null)
        {
            NativeMemory.Free(_frame);
            _frame = null;
        }
    }
}
