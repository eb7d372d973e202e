using Ring.Shared.Abi;
using Ring.Shared.Interop;
using Ring.Shared.Offload;

namespace Netback.Daemon.DataPath;

/// <summary>
/// <c>Netback:NullDataPath</c>: guest TX frames are validated, translated and answered as always, then
/// discarded without a syscall; guest RX "reads" a generated frame (see <see cref="NullFrame"/>) into
/// the posted pages, or nothing. So the ring, validation and notification work is measured without
/// the kernel.
/// </summary>
internal readonly unsafe struct NullFrameIo : IFrameIo
{
    private readonly byte* _frame;
    private readonly int _size;

    /// <param name="frame">The frame every RX read returns, or null (with <paramref name="size"/> 0) for no guest RX.</param>
    public NullFrameIo(byte* frame, int size)
    {
        _frame = frame;
        _size = size;
    }

    public bool Write(int tapFd, Uio.iovec* iov, int count) => true;

    /// <summary>Fills iov[0] (the virtio_net_hdr) and iov[1] (the first posted page) as readv would.</summary>
    public nint Read(int tapFd, Uio.iovec* iov, int count)
    {
        if (_size == 0)
        {
            return 0;
        }
        *(VirtioNetHdr*)iov[0].iov_base = default;
        Buffer.MemoryCopy(_frame, iov[1].iov_base, NetifLimits.PageSize, _size);
        return VirtioNetHdr.Size + _size;
    }

    public bool Discard(int tapFd, byte* buffer, int length) => false;
}
