using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Ring.Shared.Interop;

/// <summary>
/// The libc calls whose errno decides what happens next (EINTR, EAGAIN), declared with
/// SetLastError so <see cref="NativeError.LastErrno"/> is the call's own errno: Tmds.LibC 0.5's
/// imports do not capture it on .NET 10 (a failed poll read errno 0), and an epoll_wait or poll
/// interrupted by the runtime's own signals (GC suspension) must be retried, not reported.
/// The structs are Tmds.LibC's.
/// </summary>
internal static unsafe partial class Sys
{
    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int epoll_wait(int epfd, epoll_event* events, int maxevents, int timeout);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int poll(pollfd* fds, nuint nfds, int timeout);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint sendmsg(int sockfd, msghdr* msg, int flags);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint recvmsg(int sockfd, msghdr* msg, int flags);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int open(byte* path, int flags, uint mode);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int munmap(void* addr, nuint length);
}
