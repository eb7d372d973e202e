using Netback.Daemon.Xenbus;

namespace Netback.Daemon.Hosting;

/// <summary>The xenbus loop's bookkeeping for one session: its epoll tokens and fds, deadline, bound.</summary>
internal sealed class SessionEntry
{
    public SessionEntry(long id, FrontendSession session)
    {
        Id = id;
        Session = session;
        SocketFd = (int)session.Socket.Handle;
    }

    public long Id { get; }

    public FrontendSession Session { get; }

    /// <summary>Raw: only the loop closes the socket, after taking it out of epoll.</summary>
    public int SocketFd { get; }

    /// <summary>The wake eventfd's raw fd while it is in epoll, else -1.</summary>
    public int WakeFd { get; set; } = -1;

    public bool SocketPolled { get; set; }

    /// <summary>Counted in <see cref="HandshakeBounds"/> until it is a vif or gone.</summary>
    public bool Pending { get; set; }

    /// <summary>Its place among the handshakes waiting for a Connect, earliest deadline first.</summary>
    public LinkedListNode<SessionEntry>? Handshake { get; set; }

    /// <summary>Environment.TickCount64 by which the Connect must have come.</summary>
    public long Deadline { get; set; }

    public ulong SocketToken => (ulong)Id << 1;

    public ulong WakeToken => ((ulong)Id << 1) | 1;
}
