using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ring.Shared.Control;
using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Netback.Tests.Shared.Control;

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
        using var lease = new HandleLease(from.Socket.SafeHandle);
        if (ScmRights.Send(lease.Value, record, fds) < 0)
        {
            throw new Win32Exception(NativeError.LastErrno, "sendmsg");
        }
    }

    public void Dispose()
    {
        Front.Dispose();
        Back.Dispose();
    }
}
