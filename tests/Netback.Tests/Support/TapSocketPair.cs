using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Netback.Tests.Support;

internal static unsafe class TapSocketPair
{
    /// <summary>
    /// The SO_SNDBUF the backend's ends got (the last created): how many bytes of guest TX the
    /// "host stack" may leave unread before the backend's writes fail, as a full TAP queue drops.
    /// </summary>
    public static int BackendSendBuffer { get; private set; } = 212_992;

    /// <summary>
    /// A SOCK_SEQPACKET socketpair: a non-blocking raw fd for the backend (like a TAP queue fd
    /// opened O_NONBLOCK) and a blocking Socket for the test's "host stack".
    /// </summary>
    public static (FileDescriptorHandle Backend, Socket Host) Create()
    {
        int* sv = stackalloc int[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "socketpair");
        }
        // O_NONBLOCK on the backend's end only (SOCK_NONBLOCK would set it on both).
        if (fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "fcntl");
        }
        // The backend writes guest TX into its end without blocking, as into a TAP; a unix socket
        // bounds that by the WRITER's SO_SNDBUF (~200 KB: ~120 small frames), beyond which the
        // backend sees EAGAIN and answers NETIF_RSP_DROPPED. Raise it (past wmem_max when root).
        int want = 4 << 20;
        if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(int)) != 0)
        {
            _ = setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &want, sizeof(int)); // capped at wmem_max: best effort
        }
        int got = 0;
        socklen_t len = sizeof(int);
        if (getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &got, &len) == 0)
        {
            BackendSendBuffer = got;
        }
        var host = new Socket(new SafeSocketHandle(sv[1], ownsHandle: true));
        // Room for a burst of frames each way, as a TAP's txqueuelen gives.
        host.SendBufferSize = 4 << 20;
        host.ReceiveBufferSize = 4 << 20;
        return (new FileDescriptorHandle(sv[0]), host);
    }
}
