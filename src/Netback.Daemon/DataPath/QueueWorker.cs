using Netback.Daemon.Interface;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Tmds.Linux;

namespace Netback.Daemon.DataPath;

/// <summary>
/// A queue's worker thread: netback's NAPI poll (guest TX) and guest-rx kthread (guest RX) in one
/// loop, the roadmap's 1:1 model. It blocks in epoll_wait on the kick eventfds, the TAP queue fd
/// (only while RX buffers are posted) and a stop eventfd; works in budgeted batches; and sleeps only
/// after ring.h's final checks, so no kick can be lost between the last look and the sleep.
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
    private readonly EventChannel _stop = EventChannel.Create();
    private readonly Thread _thread;
    private volatile bool _stopRequested;

    public QueueWorker(VifQueue queue, CreditScheduler credit, SpoofFilter? filter, TIo io)
    {
        _queue = queue;
        // Built here, on the session's thread, and freed there after the join: the native buffers of
        // short-lived vifs then come from one malloc arena, not one per worker thread.
        _tx = new TxPath<TIo>(queue, credit, filter, io);
        _rx = new RxPath<TIo>(queue, io);
        _stall = new RxStall<TIo>(queue, io);
        _thread = new Thread(Run) { Name = queue.Name, IsBackground = true };
    }

    public void Start() => _thread.Start();

    /// <summary>Asks the worker to leave its loop (safe from any thread, idempotent, never blocks).</summary>
    public void SignalStop()
    {
        _stopRequested = true;
        _stop.TryNotify(); // false once the worker is joined and its channel closed: nothing to stop
    }

    /// <summary>Waits for the worker to exit; false if it did not within <paramref name="timeout"/>.</summary>
    public bool Join(TimeSpan timeout) => _thread.ThreadState == ThreadState.Unstarted || _thread.Join(timeout);

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
        try
        {
            var channels = _queue.Channels;
            using var tap = new HandleLease(_queue.Tap);
            using var txKick = new HandleLease(channels.TxKick.Handle);
            using var txCall = new HandleLease(channels.TxCall.Handle);
            using var rxKick = new HandleLease(channels.RxKick.Handle);
            using var rxCall = new HandleLease(channels.RxCall.Handle);
            using var stop = new HandleLease(_stop.Handle);
            if (!tap.IsValid || !txKick.IsValid || !txCall.IsValid || !rxKick.IsValid || !rxCall.IsValid || !stop.IsValid)
            {
                return; // torn down before the thread started
            }
            tx.Bind(tap.Value, txCall.Value);
            rx.Bind(tap.Value, rxCall.Value);
            stall.Bind(tap.Value);
            using var epoll = new Epoll();
            epoll.Add(stop.Value, Epoll.In, TokenStop);
            epoll.Add(txKick.Value, Epoll.In, TokenTxKick);
            if (channels.IsSplit)
            {
                epoll.Add(rxKick.Value, Epoll.In, TokenRxKick);
            }
            epoll.Add(tap.Value, 0, TokenTap);
            Loop(epoll, tap.Value, txKick.Value, rxKick.Value, tx, rx, stall);
        }
        catch (Exception e)
        {
            // A bug of ours, not the frontend's: this vif goes, the daemon and other vifs stay.
            _queue.Vif.Break($"worker {_queue.Name} failed: {e.GetType().Name}: {e.Message}", e);
        }
    }

    private void Loop(Epoll epoll, int tapFd, int txKickFd, int rxKickFd, TxPath<TIo> tx, RxPath<TIo> rx, RxStall<TIo> stall)
    {
        var counters = _queue.Counters;
        Span<epoll_event> events = stackalloc epoll_event[4];
        bool tapArmed = false;
        long allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
        while (!_stopRequested)
        {
            bool more;
            do
            {
                more = tx.Action(Budget) == Budget;
                if (tx.Failed)
                {
                    return;
                }
                more |= rx.Action(Budget) == Budget;
                if (rx.Failed)
                {
                    return;
                }
            }
            while (more && !_stopRequested);

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

            // Once per round, not per packet: current whenever the worker sleeps.
            counters.WorkerAllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - allocatedAtStart;
            int n = epoll.Wait(events, timeoutMs);
            counters.Wakeups++;
            for (int i = 0; i < n; i++)
            {
                switch (events[i].data.u64)
                {
                    case TokenStop:
                        return;
                    case TokenTxKick:
                        EventChannel.Drain(txKickFd);
                        counters.NotificationsReceived++;
                        break;
                    case TokenRxKick:
                        EventChannel.Drain(rxKickFd);
                        counters.NotificationsReceived++;
                        break;
                }
            }
        }
    }

    /// <summary>The earlier of two epoll timeouts in ms, -1 meaning none.</summary>
    private static int EarlierTimeout(int a, int b) => a < 0 ? b : b < 0 ? a : Math.Min(a, b);
}
