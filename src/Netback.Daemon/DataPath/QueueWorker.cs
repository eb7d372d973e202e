using System.Diagnostics;
using Netback.Daemon.Diagnostics;
using Netback.Daemon.Interface;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Tmds.Linux;

namespace Netback.Daemon.DataPath;

/// <summary>
/// A queue's worker thread: netback's NAPI poll (guest TX) and guest-rx kthread (guest RX) in one
/// loop, the roadmap's 1:1 model. It blocks in epoll_wait on its kick channels, the TAP queue fd
/// (only while RX buffers are posted) and a stop eventfd; works in budgeted batches; and sleeps only
/// after ring.h's final checks, so no kick can be lost between the last look and the sleep.
/// <para>
/// It makes no system call on a description the frontend shares. Kicks are heard through
/// <see cref="KickPort"/>s (edge-triggered, never read), calls go out through the queue's
/// <see cref="ICallNotifier"/>s (the kernel's eventfd_signal, never write(2)): a frontend that
/// flips its eventfds to blocking, fills their counters, puts them in semaphore mode or reads them
/// itself cannot block or spin this thread. A kick that announces nothing is spurious, and a channel
/// that keeps sending them is masked for longer and longer (<see cref="KickThrottle"/>, XSA-332's
/// late EOI), then its vif disabled.
/// </para>
/// </summary>
internal sealed class QueueWorker<TIo> : IDisposable where TIo : struct, IFrameIo
{
    /// <summary>XENVIF_NAPI_WEIGHT / RX_BATCH_SIZE.</summary>
    public const int Budget = 64;

    private const ulong TokenStop = 0;
    private const ulong TokenTxKick = 1;
    private const ulong TokenRxKick = 2;
    private const ulong TokenTap = 3;

    private readonly VifQueue _queue;
    private readonly TxPath<TIo> _tx;
    private readonly RxPath<TIo> _rx;
    private readonly RxStall<TIo> _stall;
    private readonly KickThrottle _txThrottle;
    private readonly KickThrottle _rxThrottle;
    private readonly EventChannel _stop = EventChannel.Create();
    private readonly Thread _thread;
    private readonly WorkerPulse _pulse;
    private volatile bool _stopRequested;
    /// <summary>req_prod of each ring when its channel was last kicked: a kick is work when the frontend published since.</summary>
    private uint _txKickedAt;
    private uint _rxKickedAt;

    public QueueWorker(VifQueue queue, CreditScheduler credit, SpoofFilter? filter, TIo io, KickStormPolicy kicks)
    {
        _queue = queue;
        // Built here, on the session's thread, and freed there after the join: the native buffers of
        // short-lived vifs then come from one malloc arena, not one per worker thread.
        _tx = new TxPath<TIo>(queue, credit, filter, io);
        _rx = new RxPath<TIo>(queue, io);
        _stall = new RxStall<TIo>(queue, io);
        _txThrottle = new KickThrottle(kicks);
        _rxThrottle = new KickThrottle(kicks);
        _thread = new Thread(Run) { Name = queue.Name, IsBackground = true };
        _pulse = new WorkerPulse(queue.Name);
    }

    /// <summary>The queue (and thread) name, e.g. <c>vif3.0-q1</c>.</summary>
    public string Name => _queue.Name;

    public void Start() => _thread.Start();

    /// <summary>Asks the worker to leave its loop (safe from any thread, idempotent, never blocks).</summary>
    public void SignalStop()
    {
        _stopRequested = true;
        _stop.TryNotify(); // false once the worker is joined and its channel closed: nothing to stop
    }

    /// <summary>Waits for the worker to exit; false if it did not within <paramref name="timeout"/>.</summary>
    public bool Join(TimeSpan timeout) => _thread.ThreadState == System.Threading.ThreadState.Unstarted || _thread.Join(timeout);

    /// <summary>Frees the worker's buffers and stop channel: only once <see cref="Join"/> said the thread is gone.</summary>
    public void Dispose()
    {
        _stop.Dispose();
        _tx.Dispose();
        _rx.Dispose();
        _stall.Dispose();
    }

    private void Run()
    {
        var tx = _tx;
        var rx = _rx;
        var stall = _stall;
        _queue.WorkerStarted(Tid.Current()); // for netbackctl show: which Linux thread, on which CPU
        Placement.Apply(_queue); // Netback:Placement: before the first packet, on this thread
        try
        {
            var channels = _queue.Channels;
            using var tap = new HandleLease(_queue.Tap);
            using var txKick = new HandleLease(channels.TxKick.Handle);
            using var rxKick = new HandleLease(channels.RxKick.Handle);
            using var stop = new HandleLease(_stop.Handle);
            if (!tap.IsValid || !txKick.IsValid || !rxKick.IsValid || !stop.IsValid)
            {
                return; // torn down before the thread started
            }
            tx.Bind(tap.Value);
            rx.Bind(tap.Value);
            stall.Bind(tap.Value);
            using var txPort = new KickPort(txKick.Value);
            using var rxPort = channels.IsSplit ? new KickPort(rxKick.Value) : null;
            using var epoll = new Epoll();
            epoll.Add(stop.Value, Epoll.In, TokenStop);
            epoll.Add(txPort.Pending, Epoll.In, TokenTxKick);
            if (rxPort is not null)
            {
                epoll.Add(rxPort.Pending, Epoll.In, TokenRxKick);
            }
            epoll.Add(tap.Value, 0, TokenTap);
            _txKickedAt = _queue.Tx.ReadRequestProducer();
            _rxKickedAt = _queue.Rx.ReadRequestProducer();
            WorkerPulses.Default.Add(_pulse);
            try
            {
                Loop(epoll, tap.Value, txPort, rxPort, tx, rx, stall);
            }
            finally
            {
                WorkerPulses.Default.Remove(_pulse);
            }
        }
        catch (Exception e)
        {
            // A bug of ours, not the frontend's: this vif goes, the daemon and other vifs stay.
            _queue.Vif.Break($"worker {_queue.Name} failed: {e.GetType().Name}: {e.Message}", e);
        }
    }

    private void Loop(Epoll epoll, int tapFd, KickPort txPort, KickPort? rxPort, TxPath<TIo> tx, RxPath<TIo> rx, RxStall<TIo> stall)
    {
        var counters = _queue.Counters;
        Span<epoll_event> events = stackalloc epoll_event[4];
        bool tapArmed = false;
        long allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
        long pollTicks = Stopwatch.Frequency * _queue.Vif.Plan.PollMicroseconds / 1_000_000;
        long lastWork = 0;
        while (!_stopRequested)
        {
            bool more;
            int moved = 0;
            do
            {
                _pulse.Beat();
                int sent = tx.Action(Budget);
                if (tx.Failed)
                {
                    return;
                }
                int received = rx.Action(Budget);
                if (rx.Failed)
                {
                    return;
                }
                moved += sent + received;
                more = sent == Budget || received == Budget;
            }
            while (more && !_stopRequested);

            // The polling window (Netback:PollMicroseconds): for a while after work, look again
            // instead of arming the event index and sleeping. The frontend sees a stale req_event
            // meanwhile and does not kick; the TAP is looked at by RxAction's readv each round.
            if (pollTicks > 0 && tx.CreditTimeoutMs() < 0)
            {
                long polled = Stopwatch.GetTimestamp();
                if (moved > 0)
                {
                    lastWork = polled;
                }
                if (polled - lastWork < pollTicks)
                {
                    counters.Polls++;
                    Thread.SpinWait(8);
                    continue;
                }
            }

            // RING_FINAL_CHECK_FOR_REQUESTS on the TX ring: arm req_event, then look once more.
            // Out of credit (rate=), requests are known to wait: sleep until the next window instead.
            int timeoutMs = tx.CreditTimeoutMs();
            if (timeoutMs < 0 && _queue.Tx.FinalCheckForRequests())
            {
                continue;
            }
            // Guest RX: read the TAP only while enough buffers are posted; otherwise ask to be kicked
            // when the frontend has posted enough (netback's xenvif_rx_ring_slots_available).
            bool haveBuffers = rx.HaveBuffers();
            if (haveBuffers != tapArmed)
            {
                epoll.Modify(tapFd, haveBuffers ? Epoll.In : 0, TokenTap);
                tapArmed = haveBuffers;
            }
            timeoutMs = EarlierTimeout(timeoutMs, stall.Check(haveBuffers));
            long now = Stopwatch.GetTimestamp();
            timeoutMs = EarlierTimeout(timeoutMs, _txThrottle.MsUntilUnmask(now));
            timeoutMs = EarlierTimeout(timeoutMs, _rxThrottle.MsUntilUnmask(now));

            // Once per round, not per packet: current whenever the worker sleeps.
            counters.WorkerAllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - allocatedAtStart;
            _pulse.Sleep(true);
            int n = epoll.Wait(events, timeoutMs);
            _pulse.Sleep(false);
            counters.Wakeups++;
            now = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++)
            {
                switch (events[i].data.u64)
                {
                    case TokenStop:
                        return;
                    case TokenTxKick:
                        if (!Heard(epoll, txPort, _txThrottle, TokenTxKick, tx: true, rx: rxPort is null, now))
                        {
                            return;
                        }
                        break;
                    case TokenRxKick:
                        if (!Heard(epoll, rxPort!, _rxThrottle, TokenRxKick, tx: false, rx: true, now))
                        {
                            return;
                        }
                        break;
                }
            }
            // xen_irq_lateeoi_worker: a masked channel whose delay is over is re-enabled; a kick that
            // came meanwhile is still pending in its port and wakes the next epoll_wait at once.
            if (_txThrottle.TryUnmask(now))
            {
                epoll.Modify(txPort.Pending, Epoll.In, TokenTxKick);
            }
            if (rxPort is not null && _rxThrottle.TryUnmask(now))
            {
                epoll.Modify(rxPort.Pending, Epoll.In, TokenRxKick);
            }
        }
    }

    /// <summary>
    /// A kick channel is pending: harvest it and judge the kick, as netback's xenvif_tx_interrupt and
    /// xenvif_rx_interrupt pass XEN_EOI_FLAG_SPURIOUS when they find no work. Netback asks whether the
    /// ring has unconsumed requests; this worker polls both rings on every wake-up, so it may already
    /// have consumed what an honest kick announced. It asks instead whether the frontend published
    /// anything on the kicked ring(s) since the channel's previous kick. An honest frontend still makes
    /// one now and then: the kick netfront sends right after Connect, and a kick whose edge lands
    /// between this harvest and the read of req_prod below (its request counted now, its edge heard
    /// next time): 4 in 1.25 million kicks of the 600 s fuzz's healthy vif, none two in a row (it
    /// would take the race twice running); one in a row is within the threshold. False: the storm disabled the vif.
    /// </summary>
    private bool Heard(Epoll epoll, KickPort port, KickThrottle throttle, ulong token, bool tx, bool rx, long now)
    {
        if (!port.Harvest())
        {
            return true; // the frontend read its own kick back: nothing was announced to us
        }
        var counters = _queue.Counters;
        counters.NotificationsReceived++;
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
            counters.SpuriousKicks++;
        }
        switch (throttle.OnKick(work, now, out int delayMs))
        {
            case KickVerdict.Mask:
                epoll.Modify(port.Pending, 0, token); // masked: kicks stay pending in the port, unheard
                counters.KickDelayMs += delayMs;
                break;
            case KickVerdict.Storm:
                _queue.Vif.FatalError(_queue.Index, FatalReason.KickStorm,
                    $"{throttle.InARow} {(token == TokenTxKick ? "TX" : "RX")} kicks in a row announced no request");
                return false;
        }
        return true;
    }

    /// <summary>The earlier of two epoll timeouts in ms, -1 meaning none.</summary>
    private static int EarlierTimeout(int a, int b) => a < 0 ? b : b < 0 ? a : Math.Min(a, b);
}
