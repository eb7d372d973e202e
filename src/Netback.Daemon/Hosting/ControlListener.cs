using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Netback.Daemon.Access;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Netback.Daemon.Xenbus;
using Ring.Shared.Abi;
using Ring.Shared.Control;

namespace Netback.Daemon.Hosting;

/// <summary>
/// The control socket: binds and listens in <see cref="StartAsync"/> (so systemd's READY=1, sent
/// after every hosted service started, means "accepting"), accepts on a dedicated thread, and on
/// stop tells every frontend Closing and waits for the vifs to be torn down.
/// </summary>
internal sealed class ControlListener : IHostedService, IDisposable
{
    private readonly NetbackOptions _options;
    private readonly VifSpec _defaultSpec;
    private readonly VifRegistry _registry;
    private readonly VifFactory _factory;
    private readonly ILogger<ControlListener> _logger;
    private readonly ILoggerFactory _loggers;
    private readonly List<FrontendSession> _sessions = [];
    private AccessGate? _access;
    private VifAdmission? _admission;
    private Socket? _listener;
    private Thread? _acceptThread;
    private volatile bool _stopping;

    public ControlListener(IOptions<NetbackOptions> options, IOptions<ControlPlaneOptions> bounds, VifRegistry registry, IVifTapProvider taps,
        IDataPath dataPath, ILogger<ControlListener> logger, ILoggerFactory loggers)
    {
        _ = bounds;
        _factory = new VifFactory(taps, dataPath, loggers.CreateLogger("Netback.Interface"));
        _options = options.Value;
        // Validated at start (NetbackOptionsValidator), so this parse cannot fail here.
        if (!VifSpec.TryParse(_options.DefaultVifSpec, out _defaultSpec, out string? error))
        {
            throw new InvalidOperationException($"Netback:DefaultVifSpec: {error}");
        }
        _registry = registry;
        _logger = logger;
        _loggers = loggers;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        string path = _options.SocketPath;
        string? dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
        RemoveStaleSocket(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        bool bound = false;
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            bound = true;
            if (NetbackOptionsValidator.TryParseMode(_options.SocketMode, out int mode))
            {
                File.SetUnixFileMode(path, (UnixFileMode)mode);
            }
            _access = SetUpAccess(path);
            _admission = new VifAdmission(_options, _defaultSpec, _registry, _access, _factory.NameTaken);
            socket.Listen(64);
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            // Never leave our socket behind with the wrong group or no listener (and never touch
            // one we did not bind: a failed bind may mean another daemon's).
            socket.Dispose();
            if (bound && SocketFile.IsSocket(path))
            {
                File.Delete(path);
            }
            if (e is InvalidOperationException)
            {
                throw;
            }
            throw new InvalidOperationException($"cannot listen on {path}: {e.Message}", e);
        }
        _listener = socket;
        _acceptThread = new Thread(AcceptLoop) { Name = "xenbus-accept", IsBackground = true };
        _acceptThread.Start();
        HostingLog.Listening(_logger, path, _options.MaxQueues, _options.MaxRingPageOrder, _options.SplitEventChannels);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Gives the socket its group (before listen, so no peer ever sees it otherwise) and builds the
    /// access gate; the socket group is what the default policy allows.
    /// </summary>
    private AccessGate SetUpAccess(string path)
    {
        string group = _options.SocketGroup ?? "";
        uint? gid = null;
        if (SocketGroup.IsConfigured(group))
        {
            gid = SocketGroup.TryResolve(group, out uint g) ? g
                : throw new InvalidOperationException($"Netback:SocketGroup '{group}' does not exist");
        }
        else if (SocketGroup.TryResolve(SocketGroup.Default, out uint g))
        {
            group = SocketGroup.Default;
            gid = g;
        }
        else
        {
            AccessLog.DefaultGroupMissing(_logger, SocketGroup.Default);
        }
        if (gid is { } socketGid)
        {
            SocketFile.SetGroup(path, socketGid);
        }
        var policy = new AccessPolicy(_options.Access, gid, Tmds.Linux.LibC.geteuid());
        AccessLog.SocketAccess(_logger, path, _options.SocketMode, gid is { } shown ? $"{group} ({shown})" : "unchanged", policy.Describe());
        return new AccessGate(policy, _loggers.CreateLogger("Netback.Access"));
    }

    /// <summary>Tells a peer the policy refused it why, before anything is created for it.</summary>
    private static void RefuseAtAccept(Socket client, string reason)
    {
        using var channel = new ControlChannel(client);
        try
        {
            var m = new ControlMessage(ControlMessageType.Error) { State = XenbusState.Closing };
            m.Set(XenbusKeys.Reason, reason);
            channel.Send(m);
        }
        catch (Exception e) when (e is ControlChannelClosedException or ControlProtocolException)
        {
            // The peer is gone already; the refusal is logged either way.
        }
    }

    private void AcceptLoop()
    {
        var sessionLogger = _loggers.CreateLogger("Netback.Xenbus");
        while (SocketAccept.Next(_listener!, () => _stopping, _logger) is { } client)
        {
            try
            {
                var peer = PeerCredentials.Read(client);
                if (!_access!.TryAdmit(peer, out string reason))
                {
                    RefuseAtAccept(client, reason);
                    continue;
                }
                var session = new FrontendSession(new ControlChannel(client), _options, _registry, _admission!, _factory, sessionLogger, peer);
                lock (_sessions)
                {
                    _sessions.RemoveAll(s => s.State == XenbusState.Closed);
                    if (_stopping)
                    {
                        client.Dispose();
                        return;
                    }
                    _sessions.Add(session);
                }
                session.Start();
            }
            catch (Exception e)
            {
                HostingLog.AcceptFailed(_logger, e);
                client.Dispose();
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _listener?.Dispose();
        FrontendSession[] sessions;
        lock (_sessions)
        {
            sessions = _sessions.Where(s => s.State != XenbusState.Closed).ToArray();
        }
        HostingLog.ShuttingDown(_logger, sessions.Length);
        foreach (var s in sessions)
        {
            s.Close("backend is shutting down");
        }
        foreach (var s in sessions)
        {
            s.Join(TimeSpan.FromSeconds(10));
        }
        if (SocketFile.IsSocket(_options.SocketPath))
        {
            File.Delete(_options.SocketPath);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Removes a socket left by a daemon that died, but refuses to start beside a live one, and
    /// never removes anything that is not a socket.
    /// </summary>
    internal static void RemoveStaleSocket(string path)
    {
        if (!SocketFile.IsSocket(path))
        {
            if (Path.Exists(path))
            {
                throw new InvalidOperationException($"{path} exists and is not a socket; refusing to replace it");
            }
            return;
        }
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new InvalidOperationException($"another netbackd is already listening on {path}");
            }
            catch (SocketException)
            {
                // Nobody listens: a stale socket from a daemon that did not exit cleanly.
            }
        }
        File.Delete(path);
    }

    public void Dispose() => _listener?.Dispose();
}
