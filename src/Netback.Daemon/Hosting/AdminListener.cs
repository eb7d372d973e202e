using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Netback.Daemon.Admin;
using Ring.Shared.Control;
using Ring.Shared.Tap;

namespace Netback.Daemon.Hosting;

/// <summary>
/// The admin socket for <c>netbackctl</c> (<c>Netback:AdminSocketPath</c>, SOCK_SEQPACKET, mode
/// 0600): the same codec as the control socket, message types AdminRequest/AdminReply. Only uid 0
/// peers (SO_PEERCRED) are served, whatever the file mode. Connections are served one at a time on
/// one thread, each request with a short timeout: a stuck client cannot hold it long, and no admin
/// work ever runs on a vif's worker.
/// </summary>
internal sealed class AdminListener : IHostedService, IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly string _path;
    private readonly string _controlPath;
    private readonly CancellationTokenSource _stop = new();
    private readonly AdminCommands _commands;
    private readonly ILogger<AdminListener> _logger;
    private Socket? _listener;
    private PublishedSocket? _published;
    private Thread? _thread;
    private volatile bool _stopping;
    /// <summary>The connection being served, so a stop can wake the thread out of its receive at once.</summary>
    private volatile ControlChannel? _current;

    /// <param name="taps">Whose netdevs a declared name must not take; null: the kernel's (<see cref="NetDevice.Exists"/>).</param>
    public AdminListener(IOptions<NetbackOptions> options, VifRegistry registry, ILogger<AdminListener> logger, IVifTapProvider? taps = null)
    {
        _path = options.Value.AdminSocketPath;
        _controlPath = options.Value.SocketPath;
        _commands = new AdminCommands(registry, taps is null ? NetDevice.Exists : taps.Exists, logger);
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(_path))
        {
            return Task.CompletedTask; // disabled
        }
        if (InheritedSockets.Current.Take("admin", _path, _controlPath) is { } inherited)
        {
            // Socket activation: never unlinked nor shut down here; the unit gives it mode 0600, and so do we.
            _listener = inherited;
            string bound = InheritedSockets.BoundPath((int)inherited.Handle) ?? _path;
            if (bound != _path)
            {
                HostingLog.InheritedPathDiffers(_logger, "admin", bound, _path);
            }
            if (SocketFile.IsSocket(bound))
            {
                File.SetUnixFileMode(bound, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            HostingLog.SocketInherited(_logger, "admin", bound, (int)inherited.Handle);
        }
        else
        {
            // 0600 before it is published: root's alone from the first moment.
            _published = SocketPublisher.Publish(_path, "admin",
                temp => File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite), backlog: 8);
            _listener = _published.Socket;
        }
        _thread = new Thread(AcceptLoop) { Name = "netback-admin", IsBackground = true };
        _thread.Start();
        HostingLog.AdminListening(_logger, _path);
        return Task.CompletedTask;
    }

    private void AcceptLoop()
    {
        while (SocketAccept.Next(_listener!, _path, () => _stopping, _logger, _stop.Token) is { } client)
        {
            using var channel = new ControlChannel(client);
            _current = channel;
            Interlocked.MemoryBarrier(); // against StopAsync's write of _stopping, read of _current: one of us sees the other
            if (_stopping)
            {
                break;
            }
            Serve(channel);
            _current = null;
        }
    }

    private void Serve(ControlChannel channel)
    {
        var peer = channel.PeerCredentials();
        try
        {
            if (peer.uid != 0)
            {
                HostingLog.AdminRefused(_logger, peer.pid, peer.uid);
                Reply(channel, Error("only root may use the admin socket"));
                return;
            }
            while (!_stopping)
            {
                using var request = channel.Receive(RequestTimeout);
                if (request.Fds.Length != 0)
                {
                    throw new ControlProtocolException("the admin socket takes no file descriptors");
                }
                Reply(channel, _commands.Handle(request.Message, peer.pid));
            }
        }
        catch (ControlChannelClosedException)
        {
            // netbackctl is done.
        }
        catch (ControlProtocolException e)
        {
            Reply(channel, Error(e.Message));
        }
        catch (TimeoutException)
        {
            HostingLog.AdminFailed(_logger, peer.pid, $"no request within {RequestTimeout.TotalSeconds} s");
        }
        catch (SocketException e)
        {
            HostingLog.AdminFailed(_logger, peer.pid, e.Message);
        }
    }

    private static ControlMessage Error(string reason) =>
        new ControlMessage(ControlMessageType.Error).Set(XenbusKeys.Reason, reason.Length > 900 ? reason[..900] : reason);

    private static void Reply(ControlChannel channel, ControlMessage message)
    {
        try
        {
            channel.Send(message);
        }
        catch (Exception e) when (e is ControlChannelClosedException or ControlProtocolException or SocketException)
        {
            // The client left; nothing to tell.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        Interlocked.MemoryBarrier();
        _published?.RemoveIfOurs(); // before the listener closes: the path never names a socket that refuses
        // The accept is woken by cancellation, not by closing the listener under it: .NET would
        // shutdown(2) a socket closed during a blocking call, and an inherited socket is shared with
        // the service manager (a shut-down listener refuses every later connect, the next daemon's too).
        _stop.Cancel();
        _current?.Shutdown(); // a client in the middle of a request: its receive sees EOF now, not in 5 s
        _thread?.Join(TimeSpan.FromSeconds(RequestTimeout.TotalSeconds + 1));
        _listener?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _stop.Dispose();
    }
}
