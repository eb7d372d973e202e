using System.Diagnostics;
using Netback.Daemon.Diagnostics;
using Netback.Daemon.Interface;
using Ring.Shared.Events;
using Ring.Shared.Interop;

namespace Netback.Daemon.DataPath;

/// <summary>
/// One queue as a <see cref="QueueWorker{TIo}"/> serves it, in one or both directions
/// (<see cref="QueueSides"/>): its TX and RX paths, the late-EOI throttle of each kick channel, and,
/// while it is attached to a worker, its registrations in that worker's epoll (the kick ports and the
/// TAP queue fd, each under a token naming the queue's slot and the source). A worker carries one
/// (<c>per-queue</c>), one of a queue's two (<c>split</c>) or many of many vifs (<c>pool:N</c>);
/// everything here runs on that worker's thread, but <see cref="RequestStop"/>,
/// <see cref="WaitDetached"/> and <see cref="Dispose"/>.
/// <para>
/// It makes no system call on a description the frontend shares. Kicks are heard through
/// <see cref="KickPort"/>s (edge-triggered, never read), calls go out through the queue's
/// <see cref="ICallNotifier"/>s (the kernel's eventfd_signal, never write(2)): a frontend that
/// flips its eventfds to blocking, fills their counters, puts them in semaphore mode or reads them
/// itself cannot block or spin the worker. A kick that announces nothing is spurious, and a channel
/// that keeps sending them is masked for longer and longer (<see cref="KickThrottle"/>, XSA-332's
/// late EOI), then its vif disabled: its queues leave their workers, which go on serving the others.
/// </para>
/// </summary>
internal sealed class QueueService<TIo> : IDisposable where TIo : struct, IFrameIo
{
    /// <summary>Token sources: a token is <c>slot &lt;&lt; 2 | source</c>.</summary>
    public const ulong SourceTxKick = 1;
    public const ulong SourceRxKick = 2;
    public const ulong SourceTap = 3;

    private readonly VifQueue _queue;
    private readonly TxPath<TIo>? _tx;
    private readonly RxPath<TIo>? _rx;
    private readonly RxStall<TIo>? _stall;
    private readonly KickThrottle _txThrottle;
    private readonly KickThrottle _rxThrottle;
    private readonly ManualResetEventSlim _detached = new(false);
    private volatile bool _stopRequested;

    // Held while attached, by the worker's thread alone.
    private Epoll? _epoll;
    private HeldDescriptor? _tap;
    private HeldDescriptor? _txKick;
    private HeldDescriptor? _rxKick;
    private KickPort? _txPort;
    private KickPort? _rxPort;
    private ulong _tokenBase;
    private bool _tapArmed;
    private bool _tapRegistered;
    /// <summary>req_prod of each ring when a channel was last kicked: a kick is work when the frontend published since.</summary>
    private uint _txKickedAt;
    private uint _rxKickedAt;
    private long _allocatedAtAttach;
    private long _allocated;
    private long _wokenRound = -1;

    public QueueService(VifQueue queue, QueueSides sides, CreditScheduler credit, SpoofFilter? filter, TIo io, KickStormPolicy kicks)
    {
        _queue = queue;
        Sides = sides;
        // Built on the session's thread, and freed there after the detach: the native buffers of
        // short-lived vifs then come from one malloc arena, not one per worker thread.
        if ((sides & QueueSides.Tx) != 0)
        {
            _tx = new TxPath<TIo>(queue, credit, filter, io);
        }
        if ((sides & QueueSides.Rx) != 0)
        {
            _rx = new RxPath<TIo>(queue, io);
            _stall = new RxStall<TIo>(queue, io);
        }
        _txThrottle = new KickThrottle(kicks);
        _rxThrottle = new KickThrottle(kicks);
        Name = sides switch
        {
            QueueSides.Tx => queue.Name + "-tx",
            QueueSides.Rx => queue.Name + "-rx",
            _ => queue.Name,
        };
    }

    public VifQueue Queue => _queue;

    public QueueSides Sides { get; }

    /// <summary>The queue's name, with <c>-tx</c>/<c>-rx</c> under <c>split</c> (what a stuck report names).</summary>
    public string Name { get; }

    /// <summary>The worker this queue is attached to (set before it is posted there, never changed: static attachment).</summary>
    public QueueWorker<TIo>? Worker { get; set; }

    /// <summary>With <c>split</c>: the queue's other direction, whose allocation figure adds to this one's.</summary>
    public QueueService<TIo>? Sibling { get; set; }

    public bool StopRequested => _stopRequested;

    // The worker's bookkeeping, on its thread alone.
    internal int Slot { get; set; } = -1;

    /// <summary>Has work to look at: heard an event, its timer fired, or it used a whole budget.</summary>
    internal bool Ready { get; set; }

    /// <summary>Worked since its last final checks: they must run again before the worker sleeps.</summary>
    internal bool Touched { get; set; }

    /// <summary>When a timer of this queue fires (Stopwatch ticks; long.MaxValue: none): credit, RX stall, unmask.</summary>
    internal long Deadline { get; private set; } = long.MaxValue;

    /// <summary>Out of guest-TX credit (<c>rate=</c>): the worker's polling window must not spin on it.</summary>
    internal bool CreditLimited => _tx is not null && _tx.CreditTimeoutMs() >= 0;

    /// <summary>Asks the queue's worker to let it go (any thread, idempotent, never blocks).</summary>
    public void RequestStop()
    {
        _stopRequested = true;
        Worker?.Leave(this);
    }

    /// <summary>Waits until the queue's worker will never touch it again; false on timeout.</summary>
    public bool WaitDetached(TimeSpan timeout) => _detached.Wait(timeout);

    /// <summary>
    /// The worker's thread starts serving the queue: holds its descriptors, binds the paths, registers
    /// the kick ports and the TAP in <paramref name="epoll"/> under <paramref name="slot"/>'s tokens and
    /// records the thread for <c>netbackctl show</c>. The one place where a thread begins serving a
    /// queue (per-queue, split and pool alike): a per-thread setting that follows the queue (its CPU)
    /// belongs here: <paramref name="pin"/> (a thread of this queue alone: per-queue, or either of
    /// split's two) applies <c>Netback:Placement</c>; a pool thread serves many vifs and is not pinned
    /// per queue. False when the vif was torn down before: the queue is detached.
    /// </summary>
    public bool StartServing(Epoll epoll, int slot, string thread, bool pin)
    {
        var channels = _queue.Channels;
        try
        {
            _tap = new HeldDescriptor(_queue.Tap);
            _txKick = new HeldDescriptor(channels.TxKick.Handle);
            _rxKick = new HeldDescriptor(channels.RxKick.Handle);
        }
        catch (ObjectDisposedException)
        {
            Release();
            MarkDetached();
            return false;
        }
        _tokenBase = (ulong)slot << 2;
        Slot = slot;
        _tx?.Bind(_tap.Fd);
        _rx?.Bind(_tap.Fd);
        _stall?.Bind(_tap.Fd);
        // The TX side hears the TX kick; the RX side the RX kick. One channel for both (no
        // feature-split-event-channels) is heard by each side, which judges it against both rings.
        // Each registration is recorded once made, so that a failure halfway detaches cleanly.
        _epoll = epoll;
        if (_tx is not null)
        {
            var port = new KickPort(_txKick.Fd);
            try
            {
                epoll.Add(port.Pending, Epoll.In, _tokenBase | SourceTxKick);
            }
            catch
            {
                port.Dispose();
                throw;
            }
            _txPort = port;
        }
        if (_rx is not null && (channels.IsSplit || _tx is null))
        {
            var port = new KickPort(_rxKick.Fd);
            try
            {
                epoll.Add(port.Pending, Epoll.In, _tokenBase | SourceRxKick);
            }
            catch
            {
                port.Dispose();
                throw;
            }
            _rxPort = port;
        }
        if (_rx is not null)
        {
            epoll.Add(_tap.Fd, 0, _tokenBase | SourceTap);
            _tapRegistered = true;
        }
        _tapArmed = false;
        _txKickedAt = _queue.Tx.ReadRequestProducer();
        _rxKickedAt = _queue.Rx.ReadRequestProducer();
        _queue.WorkerStarted(Tid.Current(), thread, rxOnly: Sides == QueueSides.Rx);
        if (pin)
        {
            Placement.Apply(_queue); // before the first packet, on this thread
        }
        Ready = true; // look at the rings once: what the frontend published before we listened
        Touched = true;
        Deadline = long.MaxValue;
        return true;
    }

    /// <summary>
    /// The worker lets the queue go: its registrations leave the epoll, its descriptors are released,
    /// and <see cref="WaitDetached"/> returns. After this the worker never touches the queue again, so
    /// the vif may unmap its rings. On the worker's thread (or on one that never attached it).
    /// </summary>
    public void Detach()
    {
        if (_epoll is { } epoll)
        {
            // Before the holds go: a TAP fd closed while still registered would stay in the epoll.
            if (_txPort is not null)
            {
                epoll.Remove(_txPort.Pending);
            }
            if (_rxPort is not null)
            {
                epoll.Remove(_rxPort.Pending);
            }
            if (_tapRegistered)
            {
                epoll.Remove(_tap!.Fd);
            }
            _epoll = null;
            _tapRegistered = false;
        }
        Release();
        Slot = -1;
        Ready = false;
        Touched = false;
        MarkDetached();
    }

    /// <summary>One budgeted turn of each direction served (netback's NAPI poll and guest-rx batch).</summary>
    public ServiceStep Work(ref int moved)
    {
        int sent = 0;
        int received = 0;
        if (_tx is { } tx)
        {
            sent = tx.Action(QueueWorker<TIo>.Budget);
            if (tx.Failed)
            {
                return ServiceStep.Failed;
            }
        }
        if (_rx is { } rx)
        {
            received = rx.Action(QueueWorker<TIo>.Budget);
            if (rx.Failed)
            {
                return ServiceStep.Failed;
            }
        }
        moved += sent + received;
        return sent == QueueWorker<TIo>.Budget || received == QueueWorker<TIo>.Budget ? ServiceStep.More : ServiceStep.Done;
    }

    /// <summary>
    /// ring.h's final checks before the worker may sleep: true when requests came meanwhile (another
    /// turn). Otherwise the event indexes are armed, the TAP registration follows the posted buffers,
    /// and <see cref="Deadline"/> is the earliest timer.
    /// </summary>
    public bool FinalCheck(long now)
    {
        int timeoutMs = -1;
        if (_tx is { } tx)
        {
            // RING_FINAL_CHECK_FOR_REQUESTS on the TX ring: arm req_event, then look once more.
            // Out of credit (rate=), requests are known to wait: sleep until the next window instead.
            timeoutMs = tx.CreditTimeoutMs();
            if (timeoutMs < 0 && _queue.Tx.FinalCheckForRequests())
            {
                return true;
            }
        }
        if (_rx is { } rx)
        {
            // Guest RX: read the TAP only while enough buffers are posted; otherwise ask to be kicked
            // when the frontend has posted enough (netback's xenvif_rx_ring_slots_available).
            bool haveBuffers = rx.HaveBuffers();
            if (haveBuffers != _tapArmed)
            {
                _epoll!.Modify(_tap!.Fd, haveBuffers ? Epoll.In : 0, _tokenBase | SourceTap);
                _tapArmed = haveBuffers;
            }
            timeoutMs = EarlierTimeout(timeoutMs, _stall!.Check(haveBuffers));
        }
        timeoutMs = EarlierTimeout(timeoutMs, _txThrottle.MsUntilUnmask(now));
        timeoutMs = EarlierTimeout(timeoutMs, _rxThrottle.MsUntilUnmask(now));
        Deadline = timeoutMs < 0 ? long.MaxValue : now + timeoutMs * Stopwatch.Frequency / 1000;

        // Once per round, not per packet: current whenever the worker sleeps.
        long own = Worker!.DataPathAllocated - _allocatedAtAttach;
        Volatile.Write(ref _allocated, own);
        _queue.Counters.WorkerAllocatedBytes = own + (Sibling is { } sibling ? Volatile.Read(ref sibling._allocated) : 0);
        return false;
    }

    /// <summary>
    /// An event of this queue woke its worker (<paramref name="source"/>: a kick port or the TAP).
    /// False when a kick storm disabled the vif: the queue must leave its worker.
    /// </summary>
    public bool Heard(ulong source, long now, long round)
    {
        CountWakeup(round);
        Ready = true;
        return source switch
        {
            // One channel for both: this side judges the kick against both rings.
            SourceTxKick => Judge(_txPort!, _txThrottle, source, tx: true, rx: !_queue.Channels.IsSplit, now),
            SourceRxKick => Judge(_rxPort!, _rxThrottle, source, tx: !_queue.Channels.IsSplit, rx: true, now),
            _ => true,
        };
    }

    /// <summary>
    /// A timer of this queue came due: another turn, and xen_irq_lateeoi_worker's part: a masked
    /// channel whose delay is over is re-enabled; a kick that came meanwhile is still pending in its
    /// port and wakes the next epoll_wait at once.
    /// </summary>
    public void TimerDue(long now, long round)
    {
        CountWakeup(round);
        Ready = true;
        Deadline = long.MaxValue;
        if (_txPort is not null && _txThrottle.TryUnmask(now))
        {
            _epoll!.Modify(_txPort.Pending, Epoll.In, _tokenBase | SourceTxKick);
        }
        if (_rxPort is not null && _rxThrottle.TryUnmask(now))
        {
            _epoll!.Modify(_rxPort.Pending, Epoll.In, _tokenBase | SourceRxKick);
        }
    }

    /// <summary>A polling-window round of the worker (counted per queue it looked at).</summary>
    public void Polled()
    {
        Interlocked.Increment(ref _queue.Counters.Polls);
        Ready = true;
    }

    /// <summary>Frees the paths' buffers: only once <see cref="WaitDetached"/> said the worker let go.</summary>
    public void Dispose()
    {
        _tx?.Dispose();
        _rx?.Dispose();
        _stall?.Dispose();
        _detached.Dispose();
    }

    /// <summary>Sets the baseline of the queue's allocation figure (<see cref="QueueWorker{TIo}.DataPathAllocated"/> now).</summary>
    internal void CountAllocationFrom(long dataPathAllocated) => _allocatedAtAttach = dataPathAllocated;

    /// <summary>The worker's thread has let go, or never took the queue (the worker is gone).</summary>
    internal void MarkDetached() => _detached.Set();

    /// <summary>Wake-ups are counted once per queue per epoll_wait return (two threads share them under <c>split</c>).</summary>
    private void CountWakeup(long round)
    {
        if (_wokenRound != round)
        {
            _wokenRound = round;
            Interlocked.Increment(ref _queue.Counters.Wakeups);
        }
    }

    /// <summary>
    /// A kick channel is pending: harvest it and judge the kick, as netback's xenvif_tx_interrupt and
    /// xenvif_rx_interrupt pass XEN_EOI_FLAG_SPURIOUS when they find no work. Netback asks whether the
    /// ring has unconsumed requests; a worker polls the rings it serves on every wake-up, so it may
    /// already have consumed what an honest kick announced. It asks instead whether the frontend
    /// published anything on the kicked ring(s) since the channel's previous kick. An honest frontend
    /// still makes one now and then: the kick netfront sends right after Connect, and a kick whose edge
    /// lands between this harvest and the read of req_prod below (its request counted now, its edge
    /// heard next time): 4 in 1.25 million kicks of the 600 s fuzz's healthy vif, none two in a row (it
    /// would take the race twice running); one in a row is within the threshold. False: the storm
    /// disabled the vif.
    /// </summary>
    private bool Judge(KickPort port, KickThrottle throttle, ulong source, bool tx, bool rx, long now)
    {
        if (!port.Harvest())
        {
            return true; // the frontend read its own kick back: nothing was announced to us
        }
        var counters = _queue.Counters;
        Interlocked.Increment(ref counters.NotificationsReceived);
        bool work = false;
        if (tx)
        {
            uint prod = _queue.Tx.ReadRequestProducer();
            work |= prod != _txKickedAt;
            _txKickedAt = prod;
        }
        if (rx)
        {
            uint prod = _queue.Rx.ReadRequestProducer();
            work |= prod != _rxKickedAt;
            _rxKickedAt = prod;
        }
        if (!work)
        {
            Interlocked.Increment(ref counters.SpuriousKicks);
        }
        switch (throttle.OnKick(work, now, out int delayMs))
        {
            case KickVerdict.Mask:
                _epoll!.Modify(port.Pending, 0, _tokenBase | source); // masked: kicks stay pending in the port, unheard
                Interlocked.Add(ref counters.KickDelayMs, delayMs);
                break;
            case KickVerdict.Storm:
                _queue.Vif.FatalError(_queue.Index, FatalReason.KickStorm,
                    $"{throttle.InARow} {(source == SourceTxKick ? "TX" : "RX")} kicks in a row announced no request");
                return false;
        }
        return true;
    }

    private void Release()
    {
        _txPort?.Dispose();
        _rxPort?.Dispose();
        _txPort = null;
        _rxPort = null;
        _tap?.Release();
        _txKick?.Release();
        _rxKick?.Release();
        _tap = null;
        _txKick = null;
        _rxKick = null;
    }

    /// <summary>The earlier of two epoll timeouts in ms, -1 meaning none.</summary>
    private static int EarlierTimeout(int a, int b) => a < 0 ? b : b < 0 ? a : Math.Min(a, b);
}
