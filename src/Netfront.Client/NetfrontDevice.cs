using System.Net.NetworkInformation;
using Ring.Shared.Control;
using Ring.Shared.Memory;
using Ring.Shared.Offload;
using Ring.Shared.Rings;

namespace Netfront.Client;

/// <summary>
/// A connected paravirtual NIC: the control connection to netbackd, the grant area (one sealed
/// memfd holding rings and data pages), and one <see cref="NetfrontQueue"/> per queue
/// (xen-netfront.c's <c>struct netfront_info</c>). Create it with <see cref="Connect"/>; stop every
/// thread that uses a queue before <see cref="Dispose"/>, which unmaps the rings.
/// </summary>
public sealed partial class NetfrontDevice : IDisposable
{
    /// <summary>How long <see cref="Close"/> waits for the backend to end the connection.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly ControlChannel _channel;
    private readonly NetfrontOptions _options;
    private GrantArea? _area;
    private NetfrontQueue[] _queues = [];
    private Thread? _monitor;
    private int _closeRequested;
    private int _disposed;

    private NetfrontDevice(ControlChannel channel, NetfrontOptions options)
    {
        _channel = channel;
        _options = options;
    }

    /// <summary>The backend's name for this vif and its TAP (<c>vif&lt;domid&gt;.&lt;devid&gt;</c> or the vifspec's <c>vifname</c>).</summary>
    public string VifName { get; private set; } = "";

    /// <summary>The frontend's MAC address, as the backend assigned it (vifspec or random <c>00:16:3e:…</c>).</summary>
    public PhysicalAddress Mac { get; private set; } = PhysicalAddress.None;

    /// <summary>The backend side's MAC (<c>backend-mac</c>, <c>fe:ff:ff:ff:ff:ff</c> as in Xen).</summary>
    public PhysicalAddress BackendMac { get; private set; } = PhysicalAddress.None;

    /// <summary>The vif's MTU as the backend reported it.</summary>
    public int Mtu { get; private set; }

    /// <summary>The domid the backend gave this frontend.</summary>
    public int DomId { get; private set; }

    /// <summary>The device id (<c>handle</c>) the backend gave this vif.</summary>
    public int DevId { get; private set; }

    /// <summary>The negotiated ring-page-order.</summary>
    public int RingPageOrder { get; private set; }

    /// <summary>The negotiated ring layout.</summary>
    public RingLayout Layout { get; private set; }

    /// <summary>Whether TX and RX have separate event channels.</summary>
    public bool SplitEventChannels { get; private set; }

    /// <summary>
    /// What the backend accepts on guest TX, from its Connected message (None for an old backend or
    /// with <see cref="NetfrontOptions.Offloads"/> off). GSO frames of other types are refused by
    /// <see cref="NetfrontQueue.CommitSendPages"/>; a TAP relay sets this with TUNSETOFFLOAD.
    /// </summary>
    public OffloadFeatures TxOffloads { get; private set; }

    /// <summary>What this frontend advertised for guest RX (the backend may send these).</summary>
    public OffloadFeatures RxOffloads { get; private set; }

    /// <summary>The queues, index = queue number. Each must be driven by one thread at a time.</summary>
    public IReadOnlyList<NetfrontQueue> Queues => _queues;

    /// <summary>
    /// The queue a library user should send <paramref name="frame"/> on: a flow hash over the
    /// IPv4/IPv6 addresses and TCP/UDP ports (<see cref="SelectQueue(ReadOnlySpan{byte}, int)"/>),
    /// so each flow stays on one queue (in order) while many flows spread over all of them. A TAP
    /// relay does not need it: the kernel's multi-queue TAP already steers flows to queue fds.
    /// </summary>
    public int SelectQueue(ReadOnlySpan<byte> frame) => SelectQueue(frame, _queues.Length);

    /// <summary>
    /// The queue (0..<paramref name="queueCount"/>-1) for <paramref name="frame"/>: the same for
    /// every frame of a flow, 0 for non-IP frames; IP frames other than TCP/UDP, and fragments,
    /// are spread by addresses only.
    /// </summary>
    public static int SelectQueue(ReadOnlySpan<byte> frame, int queueCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCount, 1);
        return queueCount == 1 ? 0 : FlowHash.Scale(FlowHash.Compute(frame), queueCount);
    }

    /// <summary>
    /// Connects to the backend at <see cref="NetfrontOptions.SocketPath"/>, negotiates within its
    /// features, shares the rings and event channels, and returns once the backend replies Connected.
    /// Throws <see cref="NetfrontException"/> with a one-line reason (the backend's, when it refused).
    /// </summary>
    public static NetfrontDevice Connect(NetfrontOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ControlChannel channel = OpenChannel(options.SocketPath);
        var device = new NetfrontDevice(channel, options);
        try
        {
            device.Handshake();
            device.StartMonitor();
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Tells the backend Closing (xenbus state 5) and waits briefly for it to tear the vif down and
    /// close the connection. Idempotent; queues stay usable (but idle) until <see cref="Dispose"/>.
    /// </summary>
    public void Close()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            CloseAndWait();
        }
    }

    private void CloseAndWait()
    {
        // Only the first caller says Closing; every caller waits for the monitor, so a Dispose that
        // races another thread's Close never releases the socket and eventfds under a running monitor.
        if (Interlocked.Exchange(ref _closeRequested, 1) == 0 && !IsBackendClosed)
        {
            try
            {
                var m = new ControlMessage(ControlMessageType.State) { State = Ring.Shared.Abi.XenbusState.Closing };
                _channel.Send(m);
            }
            catch (ControlChannelClosedException)
            {
                // The backend is gone already: nothing to tell.
            }
        }
        // The backend answers Closing by closing the connection; the monitor sees it and ends.
        if (_monitor is { } monitor && monitor != Thread.CurrentThread && !monitor.Join(CloseGrace))
        {
            _channel.Shutdown();
            monitor.Join();
        }
        _channel.Shutdown();
    }

    /// <summary>
    /// Closes (see <see cref="Close"/>) and releases everything: queues and their eventfds, the
    /// mapping and memfd, the socket. Threads using a queue must have stopped.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (_monitor is not null)
        {
            CloseAndWait();
        }
        else
        {
            _channel.Shutdown();
        }
        foreach (var queue in _queues)
        {
            queue.Release();
        }
        _area?.Dispose();
        _channel.Dispose();
        _closedEvent.Dispose();
        _closedFd?.Release();
        _closedChannel.Dispose();
    }
}
