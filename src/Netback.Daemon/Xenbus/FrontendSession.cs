using System.ComponentModel;
using System.Net.Sockets;
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
using Ring.Shared.Text;

namespace Netback.Daemon.Xenbus;

/// <summary>
/// One frontend's control connection and its life (netback's xenbus.c: <c>frontend_changed</c>,
/// <c>set_backend_state</c>). It owns no thread: the xenbus loop tells it what happened (a record
/// arrived, the handshake timed out, its vif broke, the daemon stops) and it answers with the
/// <see cref="SessionStep"/> the loop takes next. What can take time, building the vif (map, TAP,
/// bridge) and tearing it down (join its workers), it does in <see cref="RunWork"/> on a control
/// worker, never on the loop. It is the only code that writes to the frontend, and it never waits
/// for it: a frontend that does not read loses its session at the first record that does not fit.
/// Its life is the vif's: when the connection ends, for whatever reason, the vif and all it holds go,
/// before the socket closes (a frontend that sees EOF may reconnect to the same name at once).
///
/// Backend states, as netback moves through them:
/// <code>
///              Hello                     Connect               built, Connected sent
///   accept ──► Initialising ──► InitWait ──────────► [building] ─────────────────────► Connected
///                  │               │                     │                                 │
///                  │ Hello not     │ EOF, Closing,       │ refused:                        │ Closing, EOF, garbage, vif broken,
///                  │ sent          │ garbage, timeout,   │ Error sent,                     │ shutdown, a record not sent
///                  │               │ shutdown            │ nothing kept                    ▼
///                  │               │                     │                             Closing ──[tearing down]──┐
///                  ▼               ▼                     ▼                                                       │
///                Closed ◄──────────┴─────────────────────┴───────────────────────────────────────────────────────┘
/// </code>
/// Threads: every method but <see cref="RunWork"/> runs on the loop; <see cref="RunWork"/> runs on a
/// worker while the loop leaves the session alone, and the worker hands it back through a channel,
/// which orders what one wrote before the other reads.
/// </summary>
internal sealed class FrontendSession : IDisposable
{
    private enum Work
    {
        None,
        Build,
        TearDown,
    }

    private readonly ControlChannel _channel;
    private readonly NetbackOptions _options;
    private readonly VifRegistry _registry;
    private readonly VifAdmission _admission;
    private readonly VifFactory _factory;
    private readonly ILogger _logger;
    private XenbusState _state = XenbusState.Initialising;
    private Work _work;
    private ReceivedControlMessage? _connect;
    private ConnectRequest? _request;
    /// <summary>What each side wrote so far, kept for the vif's <see cref="VifNegotiation"/> (netbackctl show).</summary>
    private IReadOnlyList<KeyValuePair<string, string>> _helloKeys = [];
    private IReadOnlyList<KeyValuePair<string, string>> _connectKeys = [];
    /// <summary>Made with the vif: a broken vif writes it (never the control socket), the loop polls it.</summary>
    private EventChannel? _wake;
    private Vif? _vif;
    private VifLease? _lease;
    /// <summary>The last teardown released everything (false: a worker was stuck and the vif is kept).</summary>
    private bool _tornDown;
    /// <summary>Why the build failed (escaped), and whether the gate or an Error line said so already.</summary>
    private string? _refusal;
    private bool _refusalLogged;
    /// <summary>The daemon stopped while work was on a worker: what to say when it is back.</summary>
    private string? _closeRequested;
    private string _endReason = "frontend closed the connection";

    public FrontendSession(ControlChannel channel, PeerIdentity peer, NetbackOptions options, VifRegistry registry,
        VifAdmission admission, VifFactory factory, ILogger logger)
    {
        _channel = channel;
        Peer = peer;
        _options = options;
        _registry = registry;
        _admission = admission;
        _factory = factory;
        _logger = logger;
    }

    public PeerIdentity Peer { get; }

    public XenbusState State => _state;

    public Socket Socket => _channel.Socket;

    /// <summary>The eventfd a broken vif writes; null until the vif exists.</summary>
    public EventChannel? Wake => _wake;

    /// <summary>The vif's name once it has one (for the loop's shutdown report).</summary>
    public string Describe() => _vif?.Name ?? _request?.Spec.VifName ?? $"pid {Peer.Pid}";

    /// <summary>Accepted: says Hello (the backend's features) and waits in InitWait for the Connect.</summary>
    public SessionStep Start()
    {
        XenbusLog.FrontendAccepted(_logger, Peer.Pid, Peer.Uid, Peer.Gid);
        var hello = BackendFeatures.Hello(_options, _admission.DefaultMtu);
        if (!Send(hello, "Hello"))
        {
            return Closed();
        }
        _helloKeys = hello.Entries;
        _state = XenbusState.InitWait;
        return SessionStep.Poll;
    }

    /// <summary>The socket is readable: one record (or EOF) is taken and acted on.</summary>
    public SessionStep OnReadable(byte[] buffer)
    {
        ReceivedControlMessage? received;
        try
        {
            received = _channel.TryReceive(buffer);
        }
        catch (ControlChannelClosedException)
        {
            return _state == XenbusState.Connected ? TearDown(PrintableText.Escape(_vif?.BreakReason ?? "frontend closed the connection")) : Closed();
        }
        catch (ControlProtocolException e)
        {
            return Refuse(e.Message);
        }
        if (received is null)
        {
            return SessionStep.Poll;
        }
        if (received.Message.Type == ControlMessageType.State)
        {
            XenbusState state;
            try
            {
                state = received.Message.State; // a bad 'state' value is the frontend's error, not the loop's
            }
            catch (ControlProtocolException e)
            {
                received.Dispose();
                return Refuse(e.Message);
            }
            if (state >= XenbusState.Closing)
            {
                received.Dispose();
                return _state == XenbusState.Connected ? TearDown("frontend is Closing") : Closed();
            }
        }
        if (_state == XenbusState.Connected)
        {
            var type = received.Message.Type;
            bool fds = received.Fds.Length != 0;
            received.Dispose();
            return Refuse(fds ? "unexpected file descriptors after Connect" : $"unexpected {type} while Connected");
        }
        try
        {
            // Parsing is bounded and quick: the loop does it, a worker only builds.
            _request = ConnectRequest.Parse(received.Message, received.Fds.Length, _options);
        }
        catch (ControlProtocolException e)
        {
            received.Dispose();
            return Refuse(e.Message);
        }
        _connect = received;
        _connectKeys = received.Message.Entries; // bounded by the codec: 512 keys, 1 KiB values
        _work = Work.Build;
        return SessionStep.Work;
    }

    /// <summary>No Connect within Netback:HandshakeTimeoutSeconds.</summary>
    public SessionStep OnHandshakeTimeout() => Refuse($"no Connect within {_options.HandshakeTimeoutSeconds} s");

    /// <summary>The wake eventfd is readable: the vif broke (a fatal frontend error, a worker's bug).</summary>
    public SessionStep OnWake()
    {
        _wake!.Drain();
        if (_vif is not { IsBroken: true } vif)
        {
            return SessionStep.Poll;
        }
        string reason = PrintableText.Escape(vif.BreakReason ?? "the vif broke");
        SayClosing(reason);
        return TearDown(reason);
    }

    /// <summary>The daemon stops: the frontend is told Closing and the vif goes (after the work in flight, if any).</summary>
    public SessionStep OnShutdown(string reason)
    {
        if (_work != Work.None)
        {
            _closeRequested ??= reason;
            return SessionStep.InFlight;
        }
        SayClosing(reason);
        return _state == XenbusState.Connected ? TearDown(reason) : Closed();
    }

    /// <summary>
    /// On a control worker: builds the vif the Connect asked for, or tears it down. Never throws: a
    /// failure is kept for <see cref="OnWorkDone"/>, which the loop calls once the worker hands the
    /// session back.
    /// </summary>
    public void RunWork()
    {
        if (_work == Work.Build)
        {
            Build();
        }
        else
        {
            TearDownVif();
        }
    }

    /// <summary>Back from the worker, on the loop: says Connected (or why not), or ends the session.</summary>
    public SessionStep OnWorkDone()
    {
        var done = _work;
        _work = Work.None;
        if (done == Work.TearDown)
        {
            if (_tornDown)
            {
                XenbusLog.VifDisconnected(_logger, _vif!.Name, _endReason);
            }
            else
            {
                XenbusLog.VifKept(_logger, _vif!.Name, _endReason, string.Join(", ", _vif.StuckWorkers));
            }
            return Closed();
        }
        if (_refusal is { } refusal)
        {
            if (!_refusalLogged)
            {
                XenbusLog.FrontendRefused(_logger, Peer.Pid, Peer.Uid, refusal);
            }
            Send(XenbusReplies.Error(refusal), "Error");
            return _vif is null ? Closed() : TearDown(refusal);
        }
        if (_closeRequested is { } closing)
        {
            SayClosing(closing);
            return TearDown(closing);
        }
        var connected = XenbusReplies.Connected(_vif!);
        // Recorded before it is sent: once the frontend has Connected, netbackctl show must find both nodes.
        _vif!.Negotiated(VifNegotiation.From(_helloKeys, connected.Entries, _connectKeys));
        _connectKeys = [];
        if (!Send(connected, "Connected"))
        {
            return TearDown("the frontend did not take Connected");
        }
        _state = XenbusState.Connected;
        var plan = _vif.Plan;
        var tx = RingGeometry.For(RingKind.Tx, plan.Layout, plan.RingPageOrder);
        var rx = RingGeometry.For(RingKind.Rx, plan.Layout, plan.RingPageOrder);
        XenbusLog.VifConnected(_logger, _vif.Name, _vif.Identity.DomId, _vif.Identity.Handle, plan.Queues.Count, plan.RingPageOrder,
            tx.Size, rx.Size, plan.Layout.ToKey(), plan.SplitEventChannels ? "split" : "single", _vif.Threads,
            plan.Offloads.TxCopy.ToKey(), VifOffloads.Describe(plan.Offloads.Tx), VifOffloads.Describe(plan.Offloads.Rx),
            XenMac.Format(_vif.Mac), _vif.Mtu, plan.Placement.Description, plan.EventSuppression);
        return SessionStep.Poll;
    }

    /// <summary>
    /// netback's <c>connect</c>: admit (identity, settings, the uid's lease: nothing built yet), then
    /// map, take the fds, create the TAP, run the hotplug script's <c>online</c> (Xen's backend waits
    /// for it before Connected) and start the workers. Anything that fails before the vif exists gives
    /// back what was taken; after, the vif is torn down (its script's <c>offline</c> too) once the
    /// frontend has its Error. Either way the failure becomes the refusal.
    /// </summary>
    private void Build()
    {
        using var received = _connect!;
        _connect = null;
        try
        {
            var (plan, lease) = _admission.Admit(_request!, Peer);
            try
            {
                _wake = EventChannel.Create();
                var wake = _wake;
                // The fds array is the received message's: the factory takes what it keeps (nulls the
                // slots); whatever is left is closed when the message is disposed.
                _vif = _factory.Create(plan, received.Fds!, () => wake.TryNotify());
            }
            catch
            {
                _admission.Release(plan.Identity, lease);
                throw;
            }
            _lease = lease;
            // From here the vif is this session's: a refusal tears it down (offline included) after the Error.
            _vif.Online();
            _registry.Register(_vif);
            _vif.Start();
        }
        catch (AccessRefusedException e)
        {
            // The gate logged and counted it, with the peer's gid; only the frontend is still to be told.
            (_refusal, _refusalLogged) = (PrintableText.Escape(e.Message), true);
        }
        catch (Exception e) when (e is ControlProtocolException or VifSetupException or GrantAreaException or TapException
            or NetDeviceException or Win32Exception)
        {
            // Win32Exception: the daemon out of fds or memory for this vif (eventfd, mmap); refused like the rest.
            _refusal = PrintableText.Escape(e.Message);
        }
        catch (Exception e)
        {
            XenbusLog.SessionFailed(_logger, e, Peer.Pid);
            (_refusal, _refusalLogged) = ($"internal error: {PrintableText.Escape(e.Message)}", true);
        }
    }

    /// <summary>
    /// Stops the workers, removes the TAP, unmaps; then the identity and the uid's lease go. Only
    /// then: a worker that did not stop keeps its mapping, its registry entry and the lease (the vif
    /// logged and counted it as stuck), so nothing it may still touch is handed to anyone else and the
    /// uid does not get its slot back for a vif that still exists.
    /// </summary>
    private void TearDownVif()
    {
        var vif = _vif!;
        try
        {
            _tornDown = vif.TearDown(Vif.DefaultTeardownTimeout);
        }
        catch (Exception e)
        {
            XenbusLog.SessionFailed(_logger, e, Peer.Pid);
            _tornDown = false;
        }
        if (_tornDown)
        {
            _registry.Release(vif.Identity);
            _lease?.Dispose();
            _lease = null;
        }
    }

    /// <summary>A bad record, a refused Connect or a timeout: one Warning, an Error to the frontend, and the end.</summary>
    private SessionStep Refuse(string reason)
    {
        reason = PrintableText.Escape(reason);
        XenbusLog.FrontendRefused(_logger, Peer.Pid, Peer.Uid, reason);
        Send(XenbusReplies.Error(reason), "Error");
        return _state == XenbusState.Connected ? TearDown(reason) : Closed();
    }

    /// <summary>Tells the frontend the backend is Closing, and why; a frontend that does not take it is not waited for.</summary>
    private void SayClosing(string reason) => Send(XenbusReplies.Closing(reason), "Closing");

    private SessionStep TearDown(string reason)
    {
        _endReason = reason;
        _state = XenbusState.Closing;
        if (_vif is null)
        {
            return Closed();
        }
        _work = Work.TearDown;
        return SessionStep.Work;
    }

    private SessionStep Closed()
    {
        _state = XenbusState.Closed;
        return SessionStep.Close;
    }

    /// <summary>
    /// One record, never waiting: a frontend whose queue is full does not read (the backend sends it
    /// three small records in its whole life), so it is not waited for and its session ends. False
    /// when the record was not sent, for that reason or because the frontend is gone.
    /// </summary>
    private bool Send(ControlMessage message, string what)
    {
        switch (_channel.TrySend(message))
        {
            case ControlSendResult.Sent:
                return true;
            case ControlSendResult.PeerNotReading:
                XenbusLog.FrontendNotReading(_logger, Peer.Pid, Peer.Uid, what);
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// Closes the connection: only what the loop may close. The vif is not here: it was torn down on a
    /// worker before (<see cref="SessionStep.Close"/> comes only after), or, at a stop whose bound
    /// ran out, it is still being torn down there.
    /// </summary>
    public void Dispose()
    {
        _channel.Dispose();
        if (_work == Work.None)
        {
            _connect?.Dispose();
            _wake?.Dispose();
        }
    }
}
