using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Netback.Ring.Control;
using Netback.Ring.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Netback.Tests.Control;

/// <summary>Two connected control channels over socketpair(AF_UNIX, SOCK_SEQPACKET).</summary>
internal sealed unsafe class SocketPair : IDisposable
{
    public SocketPair()
    {
        int* sv = stackalloc int[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "socketpair");
        }
        Front = new ControlChannel(new Socket(new SafeSocketHandle(sv[0], ownsHandle: true)));
        Back = new ControlChannel(new Socket(new SafeSocketHandle(sv[1], ownsHandle: true)));
    }

    public ControlChannel Front { get; }

    public ControlChannel Back { get; }

    /// <summary>sendmsg of arbitrary bytes and fds, bypassing every check of <see cref="ControlChannel.Send"/>.</summary>
    public static void SendRaw(ControlChannel from, byte[] record, ReadOnlySpan<int> fds)
    {
        int controlLength = fds.Length == 0 ? 0 : CMSG_SPACE(fds.Length * sizeof(int));
        byte* control = stackalloc byte[Math.Max(controlLength, 1)];
        new Span<byte>(control, Math.Max(controlLength, 1)).Clear();
        using var lease = new HandleLease(from.Socket.SafeHandle);
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
                cmsg->cmsg_len = sizeof(cmsghdr) + fds.Length * sizeof(int); // glibc CMSG_LEN (Tmds.LibC's pads the data)
                fds.CopyTo(new Span<int>(CMSG_DATA(cmsg), fds.Length));
            }
            if (sendmsg(lease.Value, &msg, MSG_NOSIGNAL) < 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "sendmsg");
            }
        }
    }

    public void Dispose()
    {
        Front.Dispose();
        Back.Dispose();
    }
}
