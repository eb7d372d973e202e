using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Netback.Daemon.Access;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Netback.Daemon.Xenbus;

using Ring.Shared.Topology;

namespace Netback.Daemon.Hosting;

/// <summary>
/// The control socket: listens in <see cref="StartAsync"/> (so systemd's READY=1, sent after every
/// hosted service started, means "accepting"), published at its path only once it listens
/// (<see cref="SocketPublisher"/>), and serves it with the
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
    private PublishedSocket? _published;

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
        var (gid, group) = ResolveGroup();
        int? mode = NetbackOptionsValidator.TryParseMode(_options.SocketMode, out int m) ? m : null;
        void Prepare(string file)
        {
            if (mode is { } bits)
            {
                File.SetUnixFileMode(file, (UnixFileMode)bits);
            }
            if (gid is { } g)
            {
                SocketFile.SetGroup(file, g);
            }
        }
        Socket socket;
        string path;
        if (InheritedSockets.Current.Take("control", _options.SocketPath, _options.AdminSocketPath) is { } inherited)
        {
            // Socket activation: the service manager's socket, never unlinked nor shut down here (it
            // must outlive us); its file gets our mode and group like one of our own.
            socket = inherited;
            path = InheritedSockets.BoundPath((int)socket.Handle) ?? _options.SocketPath;
            if (path != _options.SocketPath)
            {
                HostingLog.InheritedPathDiffers(_logger, "control", path, _options.SocketPath);
            }
            if (SocketFile.IsSocket(path))
            {
                Prepare(path);
            }
            HostingLog.SocketInherited(_logger, "control", path, (int)socket.Handle);
        }
        else
        {
            // Mode and group before the socket is published, so no peer ever sees it otherwise.
            _published = SocketPublisher.Publish(_options.SocketPath, "control", Prepare, backlog: 64);
            socket = _published.Socket;
            path = _published.Path;
        }
        var access = NewAccessGate(path, gid, group);
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
        if (PlacementPolicyNames.TryParse(_options.Placement, out var placement) && placement == PlacementPolicy.OtherNode
            && CpuTopology.Machine.Nodes.Count < 2)
        {
            // Said once here rather than in every vif's connected line (which says "none (...)" too).
            HostingLog.PlacementUnmet(_logger, _options.Placement, CpuTopology.Machine.Nodes.Count, "other-node needs a second node; other-cpu is what one node can measure");
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The control socket's group: Netback:SocketGroup, which must exist when set, else
    /// <see cref="SocketGroup.Default"/> if it exists, else none (the daemon's own group stays).
    /// </summary>
    private (uint? Gid, string Group) ResolveGroup()
    {
        string group = _options.SocketGroup ?? "";
        if (SocketGroup.IsConfigured(group))
        {
            return SocketGroup.TryResolve(group, out uint g) ? (g, group)
                : throw new InvalidOperationException($"Netback:SocketGroup '{group}' does not exist");
        }
        if (SocketGroup.TryResolve(SocketGroup.Default, out uint d))
        {
            return (d, SocketGroup.Default);
        }
        AccessLog.DefaultGroupMissing(_logger, SocketGroup.Default);
        return (null, "");
    }

    /// <summary>The access gate: the socket group is what the default policy allows.</summary>
    private AccessGate NewAccessGate(string path, uint? gid, string group)
    {
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
        // The path goes first, the listener after: a frontend trying meanwhile finds no socket (and
        // retries) rather than one that refuses.
        _published?.RemoveIfOurs();
        _loop?.Stop(bound);
        return Task.CompletedTask;
    }

    public void Dispose() => _loop?.Dispose();
}
