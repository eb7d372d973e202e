using System.Runtime.InteropServices;

namespace Ring.Shared.Interop;

/// <summary>Scatter/gather I/O (readv/writev): not in Tmds.LibC.</summary>
internal static unsafe partial class Uio
{
    [StructLayout(LayoutKind.Sequential)]
    public struct iovec
    {
        public void* iov_base;
        public nuint iov_len;
    }

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint readv(int fd, iovec* iov, int iovcnt);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint writev(int fd, iovec* iov, int iovcnt);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint read(int fd, void* buf, nuint count);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint write(int fd, void* buf, nuint count);
}
