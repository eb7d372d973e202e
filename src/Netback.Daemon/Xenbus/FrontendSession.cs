using Microsoft.Extensions.Logging;
using Netback.Daemon.Access;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Events;
using Ring.Shared.Memory;
using Ring.Shared.Rings;
using Ring.Shared.Tap;
using Tmds.Linux;

namespace Netback.Daemon.Xenbus;

/// <summary>
/// One frontend's control connection, served on its own thread (netback's xenbus.c). Its life is
/// the vif's life: when the connection ends, for whatever reason, the vif and all it holds go. It
/// is the only place that talks to the frontend: a vif that breaks (a fatal frontend error, a
/// worker's bug) or a daemon that stops only wakes this thread, which says Closing.
///
/// Backend states, as netback moves through them:
/// <code>
///   accept ──► InitWait ──(Connect ok)──► Connected ──(Closing / EOF / vif broken / shutdown)──► Closing ──► Closed
///                 │                                                                               ▲
///                 └──────(bad Connect, timeout, EOF: Error sent, nothing created)─────────────────┘
/// </code>
/// </summary>
internal sealed class FrontendSession
{
    private readonly ControlChannel _channel;
    private readonly NetbackOptions _options;
    private readonly VifRegistry _registry;
    private readonly VifAdmission _admission;
    private readonly VifFactory _factory;
    private readonly ILogger _logger;
    private readonly ucred _peer;
    private readonly PeerIdentity _identity;
    /// <summary>Our own eventfd: a broken vif or a stopping daemon wakes the session thread with it.</summary>
    private readonly EventChannel _wake = EventChannel.Create();
    private readonly Thread _thread;
    private VifLease? _lease;
    private string? _closeReason;
    private XenbusState _state = XenbusState.Initialising;
    private Vif? _vif;

    public FrontendSession(ControlChannel channel, NetbackOptions options, VifRegistry registry, VifAdmission admission,
        VifFactory factory, ILogger logger, PeerIdentity identity)
    {
        _identity = identity;
        _factory = factory;
        _channel = channel;
        _options = options;
        _registry = registry;
        _admission = admission;
        _logger = logger;
        _peer = channel.PeerCredentials();
        _thread = new Thread(Run) { Name = $"xenbus-{_peer.pid}", IsBackground = true };
    }

    public XenbusState State => _state;

    public void Start() => _thread.Start();

    public bool Join(TimeSpan timeout) => _thread.Join(timeout);

    /// <summary>
    /// Asks the session to tell the frontend Closing and end (daemon shutdown). Returns at once; the
    /// session thread does the talking. The first reason wins.
    /// </summary>
    public void Close(string reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        _wake.TryNotify();
    }

    private void Run()
    {
        string endReason = "frontend closed the connection";
        XenbusLog.FrontendAccepted(_logger, _peer.pid, _peer.uid, _peer.gid);
        try
        {
            _channel.Send(BackendFeatures.Hello(_options, _admission.DefaultMtu));
            _state = XenbusState.InitWait;

            using (var connect = _channel.Receive(TimeSpan.FromSeconds(_options.HandshakeTimeoutSeconds), _wake.Handle))
            {
                if (connect is null)
                {
                    endReason = _closeReason ?? "backend is closing";
                    SayClosing(endReason);
                    return;
                }
                if (connect.Message.Type == ControlMessageType.State && connect.Message.State >= XenbusState.Closing)
                {
                    return;
                }
                Connect(connect);
            }
            _state = XenbusState.Connected;

            while (true)
            {
                using var message = _channel.Receive(null, _wake.Handle);
                if (message is null)
                {
                    // Woken: the vif broke (its reason first) or the daemon is stopping.
                    endReason = _vif?.BreakReason ?? _closeReason ?? "backend is closing";
                    SayClosing(endReason);
                    break;
                }
                if (message.Fds.Length != 0)
                {
                    throw new ControlProtocolException("unexpected file descriptors after Connect");
                }
                if (message.Message.Type == ControlMessageType.State && message.Message.State >= XenbusState.Closing)
                {
                    endReason = "frontend is Closing";
                    break;
                }
                throw new ControlProtocolException($"unexpected {message.Message.Type} while Connected");
            }
        }
        catch (ControlChannelClosedException)
        {
            endReason = _vif?.BreakReason ?? _closeReason ?? "frontend closed the connection";
        }
        catch (AccessRefusedException e)
        {
            // The gate logged and counted it, with the peer's gid; only the frontend is still to be told.
            endReason = e.Message;
            SendError(endReason);
        }
        catch (Exception e) when (e is ControlProtocolException or VifSetupException or TimeoutException or GrantAreaException
            or TapException or NetDeviceException)
        {
            endReason = e is TimeoutException ? $"no Connect within {_options.HandshakeTimeoutSeconds} s" : e.Message;
            Refuse(endReason);
        }
        catch (Exception e)
        {
            endReason = $"internal error: {e.Message}";
            XenbusLog.SessionFailed(_logger, e, _peer.pid);
            Refuse(endReason);
        }
        finally
        {
            _state = XenbusState.Closing;
            if (_vif is { } vif)
            {
                vif.Dispose();
                _registry.Release(vif.Identity);
                XenbusLog.VifDisconnected(_logger, vif.Name, endReason);
            }
            _lease?.Dispose();
            _channel.Dispose();
            _wake.Dispose();
            _state = XenbusState.Closed;
        }
    }

    private void Connect(ReceivedControlMessage received)
    {
        var request = ConnectRequest.Parse(received.Message, received.Fds.Length, _options);
        var (plan, lease) = _admission.Admit(request, _identity);
        try
        {
            // The fds array is the received message's: the factory takes what it keeps (nulls the
            // slots); whatever is left is closed when the message is disposed.
            _vif = _factory.Create(plan, received.Fds!, () => _wake.TryNotify());
        }
        catch
        {
            _admission.Release(plan.Identity, lease);
            throw;
        }
        _lease = lease;
        var identity = plan.Identity;
        _registry.Register(_vif);
        _vif.Start();

        var reply = new ControlMessage(ControlMessageType.Connected) { State = XenbusState.Connected };
        reply.Set(XenbusKeys.Vif, _vif.Name);
        reply.Set(XenbusKeys.DomId, identity.DomId);
        reply.Set(XenbusKeys.Handle, identity.Handle);
        reply.Set(XenbusKeys.Mac, XenMac.Format(_vif.Mac));
        reply.Set(XenbusKeys.BackendMac, XenMac.Format(XenMac.Backend));
        reply.Set(XenbusKeys.Mtu, _vif.Mtu);
        BackendFeatures.SetTxFeatures(reply, _vif.Offloads.Tx);
        _channel.Send(reply);

        var tx = RingGeometry.For(RingKind.Tx, request.Layout, request.RingPageOrder);
        var rx = RingGeometry.For(RingKind.Rx, request.Layout, request.RingPageOrder);
        XenbusLog.VifConnected(_logger, _vif.Name, identity.DomId, identity.Handle, request.NumQueues, request.RingPageOrder,
            tx.Size, rx.Size, request.Layout.ToKey(), request.SplitEventChannels ? "split" : "single",
            XenMac.Format(_vif.Mac), _vif.Mtu);
    }

    /// <summary>Tells the frontend the backend is Closing, and why (a broken vif, a stopping daemon).</summary>
    private void SayClosing(string reason)
    {
        try
        {
            var m = new ControlMessage(ControlMessageType.State) { State = XenbusState.Closing };
            m.Set(XenbusKeys.Reason, reason.Length > 900 ? reason[..900] : reason);
            _channel.Send(m);
        }
        catch (Exception e) when (e is ControlChannelClosedException or ControlProtocolException)
        {
            // The frontend is gone already; nothing to tell.
        }
    }

    private void Refuse(string reason)
    {
        XenbusLog.FrontendRefused(_logger, _peer.pid, _peer.uid, reason);
        SendError(reason);
    }

    private void SendError(string reason)
    {
        try
        {
            var m = new ControlMessage(ControlMessageType.Error) { State = XenbusState.Closing };
            m.Set(XenbusKeys.Reason, reason.Length > 900 ? reason[..900] : reason);
            _channel.Send(m);
        }
        catch (Exception e) when (e is ControlChannelClosedException or ControlProtocolException)
        {
        }
    }
}
