using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netback.Daemon.Access;
using Netback.Daemon.Diagnostics;
using Netback.Daemon.Xenbus;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Events;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Netback.Daemon.Hosting;

/// <summary>
/// The control plane's one thread, <c>xenbus</c> (netback's xenbus watch thread): an epoll loop over
/// the listening socket, every control connection, each vif's wake eventfd and its own wake eventfd.
/// It accepts (refusing, at once, what the access policy or the handshake bounds do not let in),
/// reads every record without waiting, keeps the handshake deadlines, and hands each session's slow
/// step to <see cref="ControlWorkers"/>. Nothing on it waits for a frontend: a pending handshake costs
/// an fd and a few objects, not a thread, and a frontend that does not read is dropped, not waited for.
/// </summary>
internal sealed class XenbusLoop : IDisposable
{
    private const ulong ListenerToken = 0;
    private const ulong WakeToken = 1;
    /// <summary>Accepts per wake-up: a crowd at the door must not starve the connections already in.</summary>
    private const int AcceptBatch = 64;
    private const string ShutdownReason = "backend is shutting down";

    private readonly Socket _listener;
    private readonly string _socketPath;
    private readonly AccessGate _access;
    private readonly Func<ControlChannel, PeerIdentity, FrontendSession> _newSession;
    private readonly HandshakeBounds _bounds;
    private readonly TimeSpan _handshakeTimeout;
    private readonly ILogger _logger;
    private readonly Epoll _epoll = new();
    private readonly EventChannel _wake = EventChannel.Create();
    private readonly ControlWorkers _workers;
    private readonly Dictionary<long, SessionEntry> _sessions = [];
    /// <summary>Sessions waiting for their Connect, in accept order: with one timeout for all, also deadline order.</summary>
    private readonly LinkedList<SessionEntry> _handshakes = new();
    private readonly AcceptPause _acceptPause = new();
    /// <summary>One receive buffer for every connection: the loop reads one record at a time.</summary>
    private readonly byte[] _buffer = new byte[ControlChannel.ReceiveBufferBytes];
    private readonly Thread _thread;
    private readonly int _listenerFd;
    private long _nextId = 1;
    private long _acceptResumeAt = -1;
    private bool _stopping;
    private long _stopDeadline;
    private int _stopSeconds;
    private volatile bool _stopRequested;

    public XenbusLoop(Socket listener, string socketPath, AccessGate access, Func<ControlChannel, PeerIdentity, FrontendSession> newSession,
        HandshakeBounds bounds, TimeSpan handshakeTimeout, int workerThreads, int maxSessions, ILogger logger)
    {
        _listener = listener;
        _socketPath = socketPath;
        _access = access;
        _newSession = newSession;
        _bounds = bounds;
        _handshakeTimeout = handshakeTimeout;
        _logger = logger;
        _workers = new ControlWorkers(workerThreads, maxSessions, () => _wake.TryNotify());
        // Non-blocking: the loop accepts until EAGAIN. The listener outlives the loop's use of its fd.
        _listener.Blocking = false;
        _listenerFd = (int)_listener.Handle;
        _epoll.Add(_listenerFd, EPOLLIN, ListenerToken);
        _epoll.Add((int)_wake.Handle.DangerousGetHandle(), EPOLLIN, WakeToken);
        _thread = new Thread(Run) { Name = "xenbus", IsBackground = true };
    }

    public void Start()
    {
        _workers.Start();
        _thread.Start();
    }

    /// <summary>
    /// Asks the loop to stop: the listener closes, every frontend is told Closing, every vif is torn
    /// down. Returns whether that finished within <paramref name="bound"/>; what did not is logged
    /// and left to the process exit.
    /// </summary>
    public bool Stop(TimeSpan bound)
    {
        _stopSeconds = (int)Math.Ceiling(bound.TotalSeconds);
        Volatile.Write(ref _stopDeadline, Environment.TickCount64 + (long)bound.TotalMilliseconds);
        _stopRequested = true;
        _wake.TryNotify();
        // The loop gives up at the deadline itself; the margin is for the time it takes to say so.
        return _thread.Join(bound + TimeSpan.FromSeconds(1));
    }

    private void Run()
    {
        var events = new epoll_event[64];
        while (true)
        {
            int n = _epoll.Wait(events, NextTimeoutMs());
            for (int i = 0; i < n; i++)
            {
                ulong token = events[i].data.u64;
                try
                {
                    Dispatch(token);
                }
                catch (Exception e)
                {
                    // Our bug, not a frontend's (their failures are the session's to report): the loop
                    // must outlive it, and the session it hit must not spin it.
                    HostingLog.LoopFailed(_logger, e);
                    Abandon(token);
                }
            }
            long now = Environment.TickCount64;
            ExpireHandshakes(now);
            if (_acceptResumeAt >= 0 && now >= _acceptResumeAt && !_stopping)
            {
                _acceptResumeAt = -1;
                _epoll.Add(_listenerFd, EPOLLIN, ListenerToken);
            }
            if (_stopRequested && !_stopping)
            {
                BeginStop();
            }
            if (_stopping && (_sessions.Count == 0 || now >= Volatile.Read(ref _stopDeadline)))
            {
                FinishStop();
                return;
            }
        }
    }

    private void Dispatch(ulong token)
    {
        switch (token)
        {
            case ListenerToken:
                AcceptBatchNow();
                return;
            case WakeToken:
                _wake.Drain();
                while (_workers.TryTakeDone(out var done))
                {
                    Apply(done, done.Session.OnWorkDone());
                }
                return;
        }
        // Events of a session closed earlier in this batch find nothing.
        if (!_sessions.TryGetValue((long)(token >> 1), out var entry))
        {
            return;
        }
        // An event reported in the same batch as one that handed the session to a worker is stale:
        // the session is the worker's until it comes back.
        if ((token & 1) == 0)
        {
            if (entry.SocketPolled)
            {
                // EPOLLIN, EPOLLHUP or EPOLLERR alike: the receive says which (a record, EOF, an error).
                Apply(entry, entry.Session.OnReadable(_buffer));
            }
        }
        else if (entry.WakeFd >= 0)
        {
            Apply(entry, entry.Session.OnWake());
        }
    }

    /// <summary>After a bug met handling <paramref name="token"/>: that session is dropped as it is (its vif, if any, is left to the process exit).</summary>
    private void Abandon(ulong token)
    {
        if (token <= WakeToken || !_sessions.Remove((long)(token >> 1), out var entry))
        {
            return;
        }
        try
        {
            Unwatch(entry);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // not in epoll after all
        }
        if (entry.Handshake is { } node)
        {
            _handshakes.Remove(node);
        }
        if (entry.Pending)
        {
            _bounds.Remove(entry.Session.Peer.Uid);
        }
        entry.Session.Socket.Dispose();
    }

    private void AcceptBatchNow()
    {
        for (int i = 0; i < AcceptBatch && !_stopping; i++)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.Interrupted or SocketError.ConnectionAborted
                or SocketError.ConnectionReset)
            {
                continue; // that connection is gone; the next may be fine
            }
            catch (SocketException e)
            {
                // EMFILE, ENFILE, ENOBUFS, ENOMEM: the connection stays queued and the listener readable.
                // Stop polling it for a while instead of failing the same accept in a spin.
                var pause = _acceptPause.Next();
                _epoll.Remove(_listenerFd);
                _acceptResumeAt = Environment.TickCount64 + (long)pause.TotalMilliseconds;
                HostingLog.AcceptFailed(_logger, _socketPath, $"{e.Message} ({e.SocketErrorCode})", pause);
                return;
            }
            _acceptPause.Reset();
            Admit(client);
        }
    }

    /// <summary>
    /// A new connection: the access policy, then the handshake bounds; refused, it gets an Error with
    /// the reason and is closed at once. Admitted, it becomes a session in InitWait with a deadline.
    /// </summary>
    private void Admit(Socket client)
    {
        PeerIdentity peer;
        try
        {
            peer = PeerCredentials.Read(client);
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            client.Dispose(); // gone before we could ask who it was
            return;
        }
        if (!_access.TryAdmit(peer, out string reason))
        {
            RefuseAtAccept(client, reason); // the gate logged and counted it
            return;
        }
        if (_bounds.Check(peer.Uid) is { } refusal)
        {
            RefusalCounters.Increment(refusal.Reason);
            HostingLog.HandshakeRefused(_logger, peer.Pid, peer.Uid, refusal.Message);
            RefuseAtAccept(client, refusal.Message);
            return;
        }
        var entry = new SessionEntry(_nextId++, _newSession(new ControlChannel(client), peer))
        {
            Pending = true,
            Deadline = Environment.TickCount64 + (long)_handshakeTimeout.TotalMilliseconds,
        };
        _bounds.Add(peer.Uid);
        _sessions.Add(entry.Id, entry);
        entry.Handshake = _handshakes.AddLast(entry);
        Apply(entry, entry.Session.Start());
    }

    private static void RefuseAtAccept(Socket client, string reason)
    {
        using var channel = new ControlChannel(client);
        // A fresh connection's queue is empty; if the peer is gone already, there is no one to tell.
        channel.TrySend(XenbusReplies.Error(reason));
    }

    /// <summary>Carries out what a session asked for, and keeps the bounds and deadlines in step with its state.</summary>
    private void Apply(SessionEntry entry, SessionStep step)
    {
        var session = entry.Session;
        if (entry.Pending && session.State is not (XenbusState.Initialising or XenbusState.InitWait))
        {
            entry.Pending = false;
            _bounds.Remove(session.Peer.Uid);
        }
        if (entry.Handshake is { } node && (step != SessionStep.Poll || session.State != XenbusState.InitWait))
        {
            _handshakes.Remove(node);
            entry.Handshake = null;
        }
        switch (step)
        {
            case SessionStep.Poll:
                Watch(entry);
                break;
            case SessionStep.Work:
                Unwatch(entry);
                if (!_workers.TryPost(entry))
                {
                    throw new InvalidOperationException("the control workers' queue is full: more sessions than it was sized for");
                }
                break;
            case SessionStep.InFlight:
                break;
            case SessionStep.Close:
                Unwatch(entry);
                if (entry.Pending)
                {
                    entry.Pending = false;
                    _bounds.Remove(session.Peer.Uid);
                }
                _sessions.Remove(entry.Id);
                session.Dispose();
                break;
        }
    }

    private void Watch(SessionEntry entry)
    {
        if (!entry.SocketPolled)
        {
            _epoll.Add(entry.SocketFd, EPOLLIN, entry.SocketToken);
            entry.SocketPolled = true;
        }
        if (entry.WakeFd < 0 && entry.Session.State == XenbusState.Connected && entry.Session.Wake is { } wake)
        {
            entry.WakeFd = (int)wake.Handle.DangerousGetHandle();
            _epoll.Add(entry.WakeFd, EPOLLIN, entry.WakeToken);
        }
    }

    /// <summary>While a worker has the session, its fds are left alone: a level-triggered EOF would spin the loop.</summary>
    private void Unwatch(SessionEntry entry)
    {
        if (entry.SocketPolled)
        {
            _epoll.Remove(entry.SocketFd);
            entry.SocketPolled = false;
        }
        if (entry.WakeFd >= 0)
        {
            _epoll.Remove(entry.WakeFd);
            entry.WakeFd = -1;
        }
    }

    private void ExpireHandshakes(long now)
    {
        while (_handshakes.First is { } first && first.Value.Deadline <= now)
        {
            var entry = first.Value;
            _handshakes.RemoveFirst();
            entry.Handshake = null;
            Apply(entry, entry.Session.OnHandshakeTimeout());
        }
    }

    /// <summary>Until the next handshake deadline, accept resumption or stop deadline; -1 (no timeout) when none.</summary>
    private int NextTimeoutMs()
    {
        long next = long.MaxValue;
        if (_handshakes.First is { } first)
        {
            next = first.Value.Deadline;
        }
        if (_acceptResumeAt >= 0)
        {
            next = Math.Min(next, _acceptResumeAt);
        }
        if (_stopping)
        {
            next = Math.Min(next, Volatile.Read(ref _stopDeadline));
        }
        if (next == long.MaxValue)
        {
            return -1;
        }
        return (int)Math.Clamp(next - Environment.TickCount64, 0, int.MaxValue);
    }

    private void BeginStop()
    {
        _stopping = true;
        if (_acceptResumeAt < 0)
        {
            _epoll.Remove(_listenerFd);
        }
        _acceptResumeAt = -1;
        _listener.Dispose();
        HostingLog.ShuttingDown(_logger, _sessions.Count);
        foreach (var entry in _sessions.Values.ToArray())
        {
            Apply(entry, entry.Session.OnShutdown(ShutdownReason));
        }
    }

    /// <summary>
    /// Every session closed, or the stop's bound is out: what is still on a worker (a teardown stuck
    /// joining its workers) is named and left to the process exit; its frontend sees EOF now.
    /// </summary>
    private void FinishStop()
    {
        if (_sessions.Count > 0)
        {
            HostingLog.ShutdownIncomplete(_logger, _sessions.Count, _stopSeconds,
                string.Join(", ", _sessions.Values.Select(e => e.Session.Describe())));
            foreach (var entry in _sessions.Values)
            {
                Unwatch(entry);
                entry.Session.Socket.Dispose();
            }
            _sessions.Clear();
        }
        _workers.Complete();
    }

    public void Dispose()
    {
        if (_thread.IsAlive)
        {
            return; // still running (a stop that timed out): the process exit takes the rest
        }
        _epoll.Dispose();
        _wake.Dispose();
    }
}
