using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Control;

/// <summary>
/// A control connection over a <c>SOCK_SEQPACKET</c> Unix socket: one message per record, file
/// descriptors alongside with <c>SCM_RIGHTS</c>. Received fds are wrapped in SafeHandles at once
/// (as Tmds.DBus does), so none can leak whatever happens next. Sending never waits for the peer
/// (<see cref="TrySend"/>); receiving may wait (<see cref="Receive(TimeSpan?)"/>, a frontend's way)
/// or not (<see cref="TryReceive"/>, the backend's event loop).
/// </summary>
public sealed unsafe partial class ControlChannel : IDisposable
{
    private readonly Socket _socket;
    /// <summary>For the waiting receive only, made on first use: a connection served by an event loop reads into the loop's buffer.</summary>
    private byte[]? _receiveBuffer;

    public ControlChannel(Socket socket)
    {
        if (socket.SocketType != SocketType.Seqpacket)
        {
            throw new ArgumentException("the control socket must be SOCK_SEQPACKET", nameof(socket));
        }
        _socket = socket;
    }

    public Socket Socket => _socket;

    /// <summary>Connects to a backend's control socket.</summary>
    public static ControlChannel Connect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new ControlChannel(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The peer's credentials (SO_PEERCRED).</summary>
    public ucred PeerCredentials()
    {
        ucred cred = default;
        var bytes = new Span<byte>(&cred, sizeof(ucred));
        int n = _socket.GetRawSocketOption(SOL_SOCKET, SO_PEERCRED, bytes);
        if (n != sizeof(ucred))
        {
            throw new ControlProtocolException("SO_PEERCRED returned a short answer");
        }
        return cred;
    }

    private HandleLease Lease()
    {
        var lease = new HandleLease(_socket.SafeHandle);
        if (!lease.IsValid)
        {
            throw new ControlChannelClosedException("the control connection is closed");
        }
        return lease;
    }

    /// <summary>Wakes a thread blocked in <see cref="Receive"/> (it then sees end of stream).</summary>
    public void Shutdown()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _socket.Dispose();
}
