using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Control;

/// <summary>One <c>sendmsg</c> of a record with file descriptors alongside (<c>SCM_RIGHTS</c>).</summary>
internal static unsafe class ScmRights
{
    /// <summary>
    /// Sends <paramref name="record"/> with <paramref name="fds"/> once; returns sendmsg's result
    /// (errno in <see cref="NativeError.LastErrno"/> when negative). The caller keeps the fds open
    /// until this returns and decides what EINTR and EAGAIN mean. MSG_NOSIGNAL always (a gone peer
    /// is EPIPE, not a signal); <paramref name="flags"/> adds to it (MSG_DONTWAIT).
    /// </summary>
    public static long Send(int socketFd, ReadOnlySpan<byte> record, ReadOnlySpan<int> fds, int flags = 0)
    {
        int controlLength = fds.Length == 0 ? 0 : CMSG_SPACE(fds.Length * sizeof(int));
        byte* control = stackalloc byte[Math.Max(controlLength, 1)];
        new Span<byte>(control, Math.Max(controlLength, 1)).Clear();
        fixed (byte* data = record)
        {
            iovec iov = new() { iov_base = data, iov_len = record.Length };
            msghdr msg = default;
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            if (fds.Length > 0)
            {
                msg.msg_control = control;
                msg.msg_controllen = controlLength;
                cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CmsgLen(fds.Length * sizeof(int));
                fds.CopyTo(new Span<int>(CMSG_DATA(cmsg), fds.Length));
            }
            return Sys.sendmsg(socketFd, &msg, MSG_NOSIGNAL | flags);
        }
    }

    /// <summary>
    /// glibc's CMSG_LEN: header plus data, unpadded. Tmds.LibC's CMSG_LEN pads the data too
    /// (CMSG_LEN(4) = 24, not 20), which for an odd fd count makes the kernel read one int past
    /// the array and send whatever it holds (fd 0) as an extra descriptor.
    /// </summary>
    public static int CmsgLen(int dataLength) => CMSG_ALIGN(sizeof(cmsghdr)) + dataLength;

    /// <summary>glibc's CMSG_ALIGN: rounds up to the size of a long.</summary>
    public static int CMSG_ALIGN(int len) => (len + sizeof(long) - 1) & ~(sizeof(long) - 1);
}
