using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Control;

/// <summary>
/// A control connection over a <c>SOCK_SEQPACKET</c> Unix socket: one message per record, file
/// descriptors alongside with <c>SCM_RIGHTS</c>. Received fds are wrapped in SafeHandles at once
/// (as Tmds.DBus does), so none can leak whatever happens next.
/// </summary>
public sealed unsafe class ControlChannel : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _receiveBuffer = new byte[ControlCodec.MaxMessageBytes + 1];

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

    public void Send(ControlMessage message, ReadOnlySpan<FileDescriptorHandle> fds = default)
    {
        byte[] record = ControlCodec.Encode(message, fds.Length);
        var added = new bool[fds.Length];
        try
        {
            Span<int> raw = stackalloc int[fds.Length];
            for (int i = 0; i < fds.Length; i++)
            {
                fds[i].DangerousAddRef(ref added[i]);
                raw[i] = fds[i].Fd;
            }
            using var lease = Lease();
            while (ScmRights.Send(lease.Value, record, raw) < 0)
            {
                int errno = NativeError.LastErrno;
                if (errno == NativeError.EAGAIN)
                {
                    WaitFor(lease.Value, POLLOUT, 1000);
                }
                else if (errno != NativeError.EINTR)
                {
                    throw new ControlChannelClosedException($"sendmsg failed: {NativeError.Exception("sendmsg", errno).Message}");
                }
            }
        }
        finally
        {
            for (int i = 0; i < fds.Length; i++)
            {
                if (added[i])
                {
                    fds[i].DangerousRelease();
                }
            }
        }
    }

    /// <summary>
    /// Receives one message, waiting up to <paramref name="timeout"/> (infinite when null).
    /// Throws <see cref="ControlChannelClosedException"/> when the peer has gone, <see cref="TimeoutException"/>
    /// on timeout and <see cref="ControlProtocolException"/> for a malformed record (fds already closed).
    /// </summary>
    public ReceivedControlMessage Receive(TimeSpan? timeout = null) =>
        Receive(timeout, null) ?? throw new InvalidOperationException("no wake fd was given");

    /// <summary>
    /// As <see cref="Receive(TimeSpan?)"/>, but also returns (null, without reading) when
    /// <paramref name="wake"/> (an eventfd of the caller's own, never the peer's) becomes readable:
    /// another thread asks the receiver to look at something other than the socket.
    /// </summary>
    public ReceivedControlMessage? Receive(TimeSpan? timeout, SafeHandle? wake)
    {
        int timeoutMs = timeout is { } t ? (int)Math.Clamp(t.TotalMilliseconds, 0, int.MaxValue) : -1;
        using var lease = Lease();
        using var wakeLease = wake is null ? default : new HandleLease(wake);
        int wakeFd = wake is null ? -1 : wakeLease.Value;
        if (wake is not null && wakeFd < 0)
        {
            return null; // the wake channel is closed: the receiver is being torn down
        }
        switch (WaitForEither(lease.Value, wakeFd, timeoutMs))
        {
            case 0:
                throw new TimeoutException($"no control message within {timeout}");
            case 2:
                return null;
            default:
                return ReceiveRecord(lease.Value);
        }
    }

    private ReceivedControlMessage ReceiveRecord(int fd)
    {
        int controlLength = CMSG_SPACE(ControlCodec.MaxFds * sizeof(int));
        byte* control = stackalloc byte[controlLength];
        new Span<byte>(control, controlLength).Clear();
        long n;
        msghdr msg;
        fixed (byte* data = _receiveBuffer)
        {
            iovec iov = new() { iov_base = data, iov_len = _receiveBuffer.Length };
            while (true)
            {
                msg = default;
                msg.msg_iov = &iov;
                msg.msg_iovlen = 1;
                msg.msg_control = control;
                msg.msg_controllen = controlLength;
                n = Sys.recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
                if (n >= 0)
                {
                    break;
                }
                int errno = NativeError.LastErrno;
                if (errno == NativeError.EINTR)
                {
                    continue;
                }
                if (errno == NativeError.EAGAIN)
                {
                    WaitFor(fd, POLLIN, -1);
                    continue;
                }
                throw new ControlChannelClosedException($"recvmsg failed: {NativeError.Exception("recvmsg", errno).Message}");
            }
        }
        // Take ownership of every fd that arrived before looking at anything else.
        var fds = new List<FileDescriptorHandle>();
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != null; c = NextHeader(&msg, c))
        {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            {
                int count = ((int)c->cmsg_len - ScmRights.CmsgLen(0)) / sizeof(int);
                int* slots = (int*)CMSG_DATA(c);
                for (int i = 0; i < count; i++)
                {
                    fds.Add(new FileDescriptorHandle(slots[i]));
                }
            }
        }
        try
        {
            if (n == 0 && fds.Count == 0)
            {
                throw new ControlChannelClosedException("the peer closed the control connection");
            }
            if ((msg.msg_flags & MSG_CTRUNC) != 0)
            {
                throw new ControlProtocolException($"more than {ControlCodec.MaxFds} fds attached");
            }
            if ((msg.msg_flags & MSG_TRUNC) != 0 || n > ControlCodec.MaxMessageBytes)
            {
                throw new ControlProtocolException($"message exceeds {ControlCodec.MaxMessageBytes} bytes");
            }
            var message = ControlCodec.Decode(_receiveBuffer.AsSpan(0, (int)n), fds.Count);
            return new ReceivedControlMessage(message, fds.ToArray());
        }
        catch
        {
            foreach (var h in fds)
            {
                h.Dispose();
            }
            throw;
        }
    }

    private static cmsghdr* NextHeader(msghdr* msg, cmsghdr* c)
    {
        // CMSG_NXTHDR as in glibc, bounded by msg_controllen.
        byte* next = (byte*)c + ScmRights.CMSG_ALIGN((int)c->cmsg_len);
        byte* end = (byte*)msg->msg_control + (uint)msg->msg_controllen;
        if (next + sizeof(cmsghdr) > end)
        {
            return null;
        }
        cmsghdr* h = (cmsghdr*)next;
        return next + ScmRights.CMSG_ALIGN((int)h->cmsg_len) > end ? null : h;
    }

    /// <summary>
    /// Polls the socket and, when <paramref name="wakeFd"/> is not -1, the wake fd: 1 when the socket is
    /// ready (hang-up counts: recvmsg then reports EOF), 2 when only the wake fd is, 0 on timeout.
    /// </summary>
    private static int WaitForEither(int fd, int wakeFd, int timeoutMs)
    {
        pollfd* p = stackalloc pollfd[2];
        p[0] = new pollfd { fd = fd, events = POLLIN };
        p[1] = new pollfd { fd = wakeFd, events = POLLIN };
        while (true)
        {
            int r = Sys.poll(p, wakeFd < 0 ? 1u : 2u, timeoutMs);
            if (r > 0)
            {
                return p[0].revents != 0 ? 1 : 2;
            }
            if (r == 0)
            {
                return 0;
            }
            int errno = NativeError.LastErrno;
            if (errno != NativeError.EINTR)
            {
                throw NativeError.Exception("poll", errno);
            }
        }
    }

    /// <summary>Polls the socket; false on timeout. Hang-up counts as ready (recvmsg then reports EOF).</summary>
    private static bool WaitFor(int fd, short events, int timeoutMs)
    {
        pollfd p = new() { fd = fd, events = events };
        while (true)
        {
            int r = Sys.poll(&p, 1, timeoutMs);
            if (r > 0)
            {
                return true;
            }
            if (r == 0)
            {
                return false;
            }
            int errno = NativeError.LastErrno;
            if (errno != NativeError.EINTR)
            {
                throw NativeError.Exception("poll", errno);
            }
        }
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
