using Ring.Shared.Interop;

namespace Netback.Daemon.DataPath;

/// <summary>Frames through the vif's TAP queue fd: one writev or readv per frame.</summary>
internal readonly unsafe struct TapFrameIo : IFrameIo
{
    public bool Write(int tapFd, Uio.iovec* iov, int count) => Uio.writev(tapFd, iov, count) >= 0;

    public nint Read(int tapFd, Uio.iovec* iov, int count) => Uio.readv(tapFd, iov, count);

    public bool Discard(int tapFd, byte* buffer, int length) => Uio.read(tapFd, buffer, (nuint)length) > 0;
}
