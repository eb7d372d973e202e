using System.Net.NetworkInformation;
using Microsoft.Extensions.Logging;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;
using Ring.Shared.Abi;
using Ring.Shared.Memory;
using Ring.Shared.Rings;
using Ring.Shared.Tap;

namespace Netback.Daemon.Interface;

/// <summary>
/// A virtual interface (netback's <c>struct xenvif</c>, interface.c): the frontend's mapped grant
/// area, the TAP <c>vif&lt;domid&gt;.&lt;handle&gt;</c>, its queues and the workers that serve
/// them. Broken at most once (<see cref="Break"/>: first reason wins); torn down by its session
/// (<see cref="TearDown"/>), which says whether it really was. Nothing here talks to the frontend: a
/// broken vif stops its workers, drops its carrier and signals its session, which tells the frontend.
/// </summary>
internal sealed class Vif : IDisposable
{
    private readonly IDataPath _dataPath;
    private readonly ILogger _logger;
    private readonly Action _onBroken;
    private readonly VifHotplug? _hotplug;
    private GrantArea? _grants;
    private TapDevice? _tap;
    private VifQueue[] _queues = [];
    private IVifWorkers? _workers;
    private RateLimit? _rate;
    private VifNegotiation? _negotiation;
    private int _broken;
    private int _stalledQueues;
    /// <summary>Serialises teardown attempts (the session's, the daemon's shutdown); never taken by a worker.</summary>
    private readonly Lock _teardown = new();
    private bool _tornDown;
    /// <summary>Workers already reported stuck: each is logged and counted once, however many attempts.</summary>
    private readonly HashSet<string> _stuck = new(StringComparer.Ordinal);

    /// <summary>How long <see cref="Dispose"/> waits for the workers.</summary>
    public static readonly TimeSpan DefaultTeardownTimeout = TimeSpan.FromSeconds(5);

    /// <param name="onBroken">
    /// Called once, from whatever thread broke the vif (a worker's, often): it must only signal the
    /// session (set a flag, write its own eventfd), never block or talk to the frontend.
    /// </param>
    /// <param name="hotplug">Its hotplug script's runs; null where its netdev is none the host sees.</param>
    public Vif(VifPlan plan, IDataPath dataPath, ILogger logger, Action onBroken, VifHotplug? hotplug = null)
    {
        _hotplug = hotplug;
        Plan = plan;
        _rate = plan.Rate;
        _dataPath = dataPath;
        _logger = logger;
        _onBroken = onBroken;
    }

    /// <summary>What the control plane decided (addresses, rate at connect, rings, offloads).</summary>
    public VifPlan Plan { get; }

    public VifIdentity Identity => Plan.Identity;

    public string Name => Identity.Name;

    /// <summary>The frontend's MAC.</summary>
    public PhysicalAddress Mac => Plan.Mac;

    public int Mtu => Plan.Mtu;

    /// <summary>Largest non-GSO frame accepted from the guest.</summary>
    public int MaxFrameSize => NetifLimits.MaxFrameSize(Mtu);

    /// <summary>What this vif takes from and gives to the guest beyond plain frames.</summary>
    public VifOffloads Offloads => Plan.Offloads;

    /// <summary>The guest-TX rate in force (<c>rate=</c>, or the last live change); null: unlimited.</summary>
    public RateLimit? Rate => Volatile.Read(ref _rate);

    public IReadOnlyList<VifQueue> Queues => _queues;

    /// <summary>What each side wrote during the handshake (null until the session has said Connected).</summary>
    public VifNegotiation? Negotiation => Volatile.Read(ref _negotiation);

    /// <summary>The session keeps what was negotiated once Connected is sent (its thread; read by the admin's).</summary>
    public void Negotiated(VifNegotiation negotiation) => Volatile.Write(ref _negotiation, negotiation);

    /// <summary>
    /// Each queue's TX and RX ring indices, read from the frontend's pages by an observer (the admin
    /// thread): it only reads, and holds the mapping while it does, so a teardown meanwhile unmaps
    /// after it. Null once the vif has released its mapping (or before it has one).
    /// </summary>
    public (RingIndices Tx, RingIndices Rx)[]? ReadRings()
    {
        var grants = Volatile.Read(ref _grants);
        var queues = Volatile.Read(ref _queues);
        if (grants is null)
        {
            return null;
        }
        using var lease = new MappingLease(grants);
        if (!lease.IsValid)
        {
            return null;
        }
        var rings = new (RingIndices Tx, RingIndices Rx)[queues.Length];
        for (int i = 0; i < queues.Length; i++)
        {
            rings[i] = (queues[i].Tx.ReadIndices(), queues[i].Rx.ReadIndices());
        }
        return rings;
    }

    public bool IsBroken => Volatile.Read(ref _broken) != 0;

    public string? BreakReason { get; private set; }

    /// <summary>Takes ownership of the mapped area, the TAP and the queues built over them.</summary>
    public void Attach(GrantArea grants, TapDevice tap, VifQueue[] queues)
    {
        _tap = tap;
        Volatile.Write(ref _queues, queues);
        Volatile.Write(ref _grants, grants); // last: a reader that sees the mapping sees the queues over it
    }

    /// <summary>
    /// Runs the hotplug script's <c>online</c> (Xen: the udev or libxl run that netback's backend
    /// waits for, <c>hotplug-status=connected</c>, before it says Connected): the TAP exists, no worker
    /// runs yet. Throws <see cref="VifSetupException"/> with the script's reason; <see cref="TearDown"/>
    /// then runs <c>offline</c>. A control worker's call: it may take up to the script timeout.
    /// </summary>
    public void Online() => _hotplug?.Online();

    /// <summary>Which threads serve the queues (<see cref="IVifWorkers.Threads"/>), <c>not started</c> before <see cref="Start"/>.</summary>
    public string Threads => Volatile.Read(ref _workers)?.Threads ?? "not started";

    /// <summary>Starts the workers (xenvif_connect_data's kthread_run).</summary>
    public void Start()
    {
        _workers = _dataPath.Start(this);
        if (IsBroken)
        {
            _workers.SignalStop(); // a worker broke the vif before this assignment: Break saw no workers
        }
    }

    /// <summary>Changes the guest-TX rate live (the admin channel's <c>set rate=</c>).</summary>
    public void SetRate(RateLimit? rate)
    {
        Volatile.Write(ref _rate, rate);
        _workers?.SetRate(rate);
    }

    /// <summary>xenvif_fatal_tx_err: the frontend put garbage on a ring; the vif is disabled.</summary>
    /// <remarks>
    /// Only the first report is logged and counted: under <c>split</c> a queue's TX and RX threads
    /// can see the same storm at once, and one disabled vif is one fatal error.
    /// </remarks>
    public void FatalError(int queue, FatalReason reason, string detail)
    {
        if (Interlocked.Exchange(ref _broken, 1) != 0)
        {
            return;
        }
        FatalCounters.Increment(reason);
        VifLog.FrontendFatal(_logger, Name, queue, reason, detail);
        Disable($"fatal frontend error on queue {queue}: {reason} ({detail})", null);
    }

    /// <summary>
    /// A queue's frontend has posted no RX buffers for the stall timeout while frames waited
    /// (netback's xenvif_queue_carrier_off): the first stalled queue takes the carrier down, so the
    /// host stack stops queueing frames nobody will take.
    /// </summary>
    public void QueueRxStalled(int queue, TimeSpan starved)
    {
        if (Interlocked.Increment(ref _stalledQueues) == 1)
        {
            _tap?.TrySetCarrier(false);
            VifLog.RxStalled(_logger, Name, queue, Math.Round(starved.TotalSeconds, 1));
        }
    }

    /// <summary>The queue has buffers again (xenvif_queue_carrier_on): the last one brings the carrier back.</summary>
    public void QueueRxReady(int queue)
    {
        if (Interlocked.Decrement(ref _stalledQueues) == 0 && Volatile.Read(ref _broken) == 0)
        {
            _tap?.TrySetCarrier(true);
            VifLog.RxReady(_logger, Name, queue);
        }
    }

    /// <summary>
    /// Disables the vif once, whatever the reason: workers are told to stop, the carrier goes off,
    /// and the session is signalled. Safe from any thread, including a worker; never blocks.
    /// </summary>
    public void Break(string reason, Exception? error)
    {
        if (Interlocked.Exchange(ref _broken, 1) != 0)
        {
            return;
        }
        Disable(reason, error);
    }

    /// <summary>What <see cref="Break"/> does once the caller has claimed the break.</summary>
    private void Disable(string reason, Exception? error)
    {
        BreakReason = reason;
        if (error is not null)
        {
            VifLog.WorkerCrashed(_logger, error, Name, reason);
        }
        _workers?.SignalStop();
        // netback's carrier-off for a disabled vif; the TAP itself goes at teardown.
        _tap?.TrySetCarrier(false);
        _onBroken();
    }

    /// <summary>True once <see cref="TearDown"/> has released everything.</summary>
    public bool IsTornDown
    {
        get
        {
            lock (_teardown)
            {
                return _tornDown;
            }
        }
    }

    /// <summary>The workers reported stuck by teardown attempts so far (empty once torn down).</summary>
    public IReadOnlyCollection<string> StuckWorkers
    {
        get
        {
            lock (_teardown)
            {
                return _tornDown ? [] : _stuck.ToArray();
            }
        }
    }

    /// <summary>
    /// Stops the workers and, once every one of them has exited, releases what the vif holds (event
    /// channels and notifiers, the TAP, the mapping of the frontend's memory): true. False when a
    /// worker has not exited within <paramref name="timeout"/>: each such worker is logged once (event
    /// 8, naming its queue) and counted (<c>netback.workers.stuck</c>), and the vif keeps everything a
    /// stuck thread might still touch, its mapping included. Nothing is released then, so the caller
    /// must keep the vif's registry entry and its owner's lease, and may call again later (true once
    /// the workers are gone). Idempotent; safe from any thread but a worker's.
    /// </summary>
    public bool TearDown(TimeSpan timeout)
    {
        lock (_teardown)
        {
            if (_tornDown)
            {
                return true;
            }
            if (_workers is { } workers)
            {
                workers.SignalStop();
                var stuck = workers.Join(timeout);
                if (stuck.Count > 0)
                {
                    foreach (string queue in stuck)
                    {
                        if (_stuck.Add(queue))
                        {
                            WorkerCounters.CountStuck();
                            VifLog.WorkerStuck(_logger, queue, timeout.TotalSeconds, Name);
                        }
                    }
                    return false;
                }
                if (_stuck.Count > 0)
                {
                    VifLog.WorkersStoppedLate(_logger, Name, _stuck.Count);
                }
            }
            // The workers are gone: the hotplug script's offline, while the TAP it acts on still exists.
            _hotplug?.Offline();
            foreach (var q in _queues)
            {
                q.Dispose();
            }
            _grants?.Dispose();
            _tap?.Dispose();
            _tornDown = true;
            return true;
        }
    }

    /// <summary><see cref="TearDown"/> with <see cref="DefaultTeardownTimeout"/>, its answer ignored (see there).</summary>
    public void Dispose() => TearDown(DefaultTeardownTimeout);
}
