using System.Net.NetworkInformation;
using Microsoft.Extensions.Logging;
using Netback.Daemon.Configuration;
using Netback.Daemon.DataPath;
using Netback.Daemon.Logging;
using Ring.Shared.Abi;
using Ring.Shared.Memory;
using Ring.Shared.Tap;

namespace Netback.Daemon.Interface;

/// <summary>
/// A virtual interface (netback's <c>struct xenvif</c>, interface.c): the frontend's mapped grant
/// area, the TAP <c>vif&lt;domid&gt;.&lt;handle&gt;</c>, and its queues. Broken at most once
/// (<see cref="Break"/>: first reason wins); torn down once by its session (<see cref="Dispose"/>).
/// </summary>
internal sealed class Vif : IDisposable
{
    /// <summary>The backend side's MAC, as Xen gives every vif netdev.</summary>
    public static readonly PhysicalAddress BackendMac = new([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff]);

    private readonly ILogger _logger;
    private readonly Action<string> _onBroken;
    private GrantArea? _grants;
    private TapDevice? _tap;
    private VifQueue[] _queues = [];
    private int _broken;
    private int _stalledQueues;
    private int _disposed;

    public Vif(VifIdentity identity, PhysicalAddress mac, int mtu, VifOffloads offloads, ILogger logger, Action<string> onBroken)
    {
        Identity = identity;
        Mac = mac;
        Mtu = mtu;
        Offloads = offloads;
        _logger = logger;
        _onBroken = onBroken;
    }

    public VifIdentity Identity { get; }

    public string Name => Identity.Name;

    /// <summary>The frontend's MAC.</summary>
    public PhysicalAddress Mac { get; }

    public int Mtu { get; }

    /// <summary>Largest non-GSO frame accepted from the guest: MTU + Ethernet header + one VLAN tag.</summary>
    public int MaxFrameSize => Mtu + NetifLimits.EthHeaderLength + 4;

    /// <summary>What this vif takes from and gives to the guest beyond plain frames.</summary>
    public VifOffloads Offloads { get; }

    /// <summary>Guest-TX credit (<c>rate=</c>), shared by the queues; changeable live (admin channel).</summary>
    public CreditScheduler TxCredit { get; } = new();

    /// <summary>Guest-RX stall and drain timeouts (Netback:RxStallTimeoutMs, RxDrainTimeoutMs). Set before <see cref="Start"/>.</summary>
    public RxStallPolicy RxStall { get; set; } = RxStallPolicy.Default;

    /// <summary>Guest-TX anti-spoofing, or null when disabled (<c>Netback:AntiSpoofing=false</c>). Set before <see cref="Start"/>.</summary>
    public SpoofFilter? TxFilter { get; set; }

    public IReadOnlyList<VifQueue> Queues => _queues;

    public bool IsBroken => Volatile.Read(ref _broken) != 0;

    public string? BreakReason { get; private set; }

    /// <summary>Takes ownership of the mapped area, the TAP and the queues built over them.</summary>
    public void Attach(GrantArea grants, TapDevice tap, VifQueue[] queues)
    {
        _grants = grants;
        _tap = tap;
        _queues = queues;
    }

    public void Start()
    {
        foreach (var q in _queues)
        {
            q.Start();
        }
    }

    /// <summary>xenvif_fatal_tx_err: the frontend put garbage on a ring; the vif is disabled.</summary>
    public void FatalError(VifQueue queue, FatalReason reason, string detail)
    {
        if (Volatile.Read(ref _broken) == 0)
        {
            FatalCounters.Increment(reason);
            Log.FrontendFatal(_logger, Name, queue.Index, reason, detail);
        }
        Break($"fatal frontend error on queue {queue.Index}: {reason} ({detail})", null);
    }

    /// <summary>
    /// A queue's frontend has posted no RX buffers for the stall timeout while frames waited
    /// (netback's xenvif_queue_carrier_off): the first stalled queue takes the carrier down, so the
    /// host stack stops queueing frames nobody will take.
    /// </summary>
    public void QueueRxStalled(VifQueue queue, TimeSpan starved)
    {
        if (Interlocked.Increment(ref _stalledQueues) == 1)
        {
            _tap?.TrySetCarrier(false);
            Log.RxStalled(_logger, Name, queue.Index, Math.Round(starved.TotalSeconds, 1));
        }
    }

    /// <summary>The queue has buffers again (xenvif_queue_carrier_on): the last one brings the carrier back.</summary>
    public void QueueRxReady(VifQueue queue)
    {
        if (Interlocked.Decrement(ref _stalledQueues) == 0 && Volatile.Read(ref _broken) == 0)
        {
            _tap?.TrySetCarrier(true);
            Log.RxReady(_logger, Name, queue.Index);
        }
    }

    /// <summary>
    /// Disables the vif once, whatever the reason: workers stop, carrier goes off, and the session is
    /// told so it can tell the frontend and tear down. Safe from any thread, including a worker.
    /// </summary>
    public void Break(string reason, Exception? error)
    {
        if (Interlocked.Exchange(ref _broken, 1) != 0)
        {
            return;
        }
        BreakReason = reason;
        if (error is not null)
        {
            Log.WorkerCrashed(_logger, error, Name, reason);
        }
        foreach (var q in _queues)
        {
            q.SignalStop();
        }
        // netback's carrier-off for a disabled vif; the TAP itself goes at teardown.
        _tap?.TrySetCarrier(false);
        _onBroken(reason);
    }

    /// <summary>Stops the workers, removes the TAP, unmaps the frontend's memory; idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var q in _queues)
        {
            q.SignalStop();
        }
        bool allJoined = true;
        foreach (var q in _queues)
        {
            if (!q.Join(TimeSpan.FromSeconds(5)))
            {
                allJoined = false;
                Log.WorkerDidNotStop(_logger, q.Name);
            }
        }
        // Only unmap what no worker can touch any more; a stuck worker keeps its mapping alive.
        if (allJoined)
        {
            foreach (var q in _queues)
            {
                q.Dispose();
            }
            _grants?.Dispose();
        }
        _tap?.Dispose();
    }
}
