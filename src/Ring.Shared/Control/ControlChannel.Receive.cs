using System.Runtime.InteropServices;
using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Control;

public sealed unsafe partial class ControlChannel
{
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
                _receiveBuffer ??= new byte[ReceiveBufferBytes];
                return ReceiveRecord(lease.Value, _receiveBuffer, wait: true)!;
        }
    }

    /// <summary>A buffer for <see cref="TryReceive"/>: one record and one byte more, to see a record that is too long.</summary>
    public const int ReceiveBufferBytes = ControlCodec.MaxMessageBytes + 1;

    /// <summary>
    /// Receives one message if one is there, without waiting (MSG_DONTWAIT): null when none is. Reads
    /// into <paramref name="buffer"/> (at least <see cref="ReceiveBufferBytes"/>), so an event loop
    /// serving many connections needs one buffer, not one per connection. Throws as
    /// <see cref="Receive(TimeSpan?)"/> does when the peer has gone or the record is malformed.
    /// </summary>
    public ReceivedControlMessage? TryReceive(byte[] buffer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buffer.Length, ReceiveBufferBytes);
        using var lease = Lease();
        return ReceiveRecord(lease.Value, buffer, wait: false);
    }

    /// <summary>One recvmsg; with <paramref name="wait"/> false, null when nothing is queued.</summary>
    private static ReceivedControlMessage? ReceiveRecord(int fd, byte[] buffer, bool wait)
    {
        int controlLength = CMSG_SPACE(ControlCodec.MaxFds * sizeof(int));
        byte* control = stackalloc byte[controlLength];
        new Span<byte>(control, controlLength).Clear();
        long n;
        msghdr msg;
        fixed (byte* data = buffer)
        {
            iovec iov = new() { iov_base = data, iov_len = ReceiveBufferBytes };
            while (true)
            {
                msg = default;
                msg.msg_iov = &iov;
                msg.msg_iovlen = 1;
                msg.msg_control = control;
                msg.msg_controllen = controlLength;
                n = Sys.recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));
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
                    if (!wait)
                    {
                        return null;
                    }
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
            var message = ControlCodec.Decode(buffer.AsSpan(0, (int)n), fds.Count);
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

}
