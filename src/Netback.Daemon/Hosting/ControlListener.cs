using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Netback.Daemon.Access;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Netback.Daemon.Xenbus;

namespace Netback.Daemon.Hosting;

/// <summary>
/// The control socket: binds and listens in <see cref="StartAsync"/> (so systemd's READY=1, sent
/// after every hosted service started, means "accepting") and serves it with the
/// <see cref="XenbusLoop"/>; on stop tells every frontend Closing and tears the vifs down, within
/// Netback:ShutdownTimeoutSeconds whatever the frontends or a stuck teardown do.
/// </summary>
internal sealed class ControlListener : IHostedService, IDisposable
{
    private readonly NetbackOptions _options;
    private readonly ControlPlaneOptions _bounds;
    private readonly VifSpec _defaultSpec;
    private readonly VifRegistry _registry;
    private readonly VifFactory _factory;
    private readonly ILogger<ControlListener> _logger;
    private readonly ILoggerFactory _loggers;
    private XenbusLoop? _loop;

    public ControlListener(IOptions<NetbackOptions> options, IOptions<ControlPlaneOptions> bounds, VifRegistry registry, IVifTapProvider taps,
        IDataPath dataPath, ILogger<ControlListener> logger, ILoggerFactory loggers)
    {
        _factory = new VifFactory(taps, dataPath, loggers.CreateLogger("Netback.Interface"));
        _options = options.Value;
        _bounds = bounds.Value;
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
        AccessGate access;
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            bound = true;
            if (NetbackOptionsValidator.TryParseMode(_options.SocketMode, out int mode))
            {
                File.SetUnixFileMode(path, (UnixFileMode)mode);
            }
            access = SetUpAccess(path);
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
        var admission = new VifAdmission(_options, _defaultSpec, _registry, access, _factory.NameTaken);
        var sessionLogger = _loggers.CreateLogger("Netback.Xenbus");
        _loop = new XenbusLoop(socket, path, access,
            (channel, peer) => new FrontendSession(channel, peer, _options, _registry, admission, _factory, sessionLogger),
            new HandshakeBounds(_bounds.MaxPendingHandshakes, _bounds.MaxPendingHandshakesPerUid),
            TimeSpan.FromSeconds(_options.HandshakeTimeoutSeconds), _bounds.ControlWorkerThreads,
            // Every session that can exist has at most one step queued: pending handshakes, plus vifs.
            _bounds.MaxPendingHandshakes + _options.MaxVifs, _logger);
        _loop.Start();
        HostingLog.Listening(_logger, path, _options.MaxQueues, _options.MaxRingPageOrder, _options.SplitEventChannels,
            _bounds.MaxPendingHandshakes, _bounds.MaxPendingHandshakesPerUid);
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

    /// <summary>
    /// Bounded by Netback:ShutdownTimeoutSeconds (below the host's own 30 s and the unit's
    /// TimeoutStopSec): a teardown that does not finish is logged by the loop and left to the process exit.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        var bound = TimeSpan.FromSeconds(_bounds.ShutdownTimeoutSeconds);
        _loop?.Stop(bound);
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

    public void Dispose() => _loop?.Dispose();
}
