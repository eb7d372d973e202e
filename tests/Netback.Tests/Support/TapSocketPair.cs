using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Netback.Ring.Interop;
using static Tmds.Linux.LibC;

namespace Netback.Tests.Support;

internal static unsafe class TapSocketPair
{
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
        var host = new Socket(new SafeSocketHandle(sv[1], ownsHandle: true));
        // Room for a burst of frames each way, as a TAP's txqueuelen gives.
        host.SendBufferSize = 4 << 20;
        host.ReceiveBufferSize = 4 << 20;
        return (new FileDescriptorHandle(sv[0]), host);
    }
}
