using Ring.Shared.Interop;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Control;

public sealed partial class ControlChannel
{
    /// <summary>
    /// Sends one message with <paramref name="fds"/> (SCM_RIGHTS; the caller keeps its own), never
    /// waiting for the peer: a full queue is <see cref="ControlSendResult.PeerNotReading"/> at once.
    /// A message the codec refuses (too large, a bad key) throws <see cref="ControlProtocolException"/>
    /// before anything is sent.
    /// </summary>
    public ControlSendResult TrySend(ControlMessage message, ReadOnlySpan<FileDescriptorHandle> fds = default) =>
        SendOnce(message, fds, out _);

    /// <summary>
    /// As <see cref="TrySend"/>, but a message that could not be sent throws
    /// <see cref="ControlChannelClosedException"/> saying why.
    /// </summary>
    public void Send(ControlMessage message, ReadOnlySpan<FileDescriptorHandle> fds = default)
    {
        switch (SendOnce(message, fds, out int errno))
        {
            case ControlSendResult.PeerNotReading:
                throw new ControlChannelClosedException("the peer does not read its control socket (its queue is full)");
            case ControlSendResult.PeerGone:
                throw new ControlChannelClosedException(errno == 0 ? "the control connection is closed"
                    : $"sendmsg failed: {NativeError.Exception("sendmsg", errno).Message}");
        }
    }

    private ControlSendResult SendOnce(ControlMessage message, ReadOnlySpan<FileDescriptorHandle> fds, out int errno)
    {
        byte[] record = ControlCodec.Encode(message, fds.Length);
        errno = 0;
        var added = new bool[fds.Length];
        try
        {
            Span<int> raw = stackalloc int[fds.Length];
            for (int i = 0; i < fds.Length; i++)
            {
                fds[i].DangerousAddRef(ref added[i]);
                raw[i] = fds[i].Fd;
            }
            var lease = new HandleLease(_socket.SafeHandle);
            try
            {
                if (!lease.IsValid)
                {
                    return ControlSendResult.PeerGone;
                }
                // EINTR only: a signal before anything was queued; the retry cannot wait either.
                while (ScmRights.Send(lease.Value, record, raw, MSG_DONTWAIT) < 0)
                {
                    errno = NativeError.LastErrno;
                    if (errno == NativeError.EAGAIN)
                    {
                        return ControlSendResult.PeerNotReading;
                    }
                    if (errno != NativeError.EINTR)
                    {
                        return ControlSendResult.PeerGone;
                    }
                }
                errno = 0;
                return ControlSendResult.Sent;
            }
            finally
            {
                lease.Dispose();
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
}
