using Ring.Shared.Events;
using Ring.Shared.Interop;
using Tmds.Linux;

namespace Netback.Daemon.Interface;

/// <summary>
/// The queue's worker thread: netback's NAPI poll (guest TX) and guest-rx kthread (guest RX) in one
/// loop, the roadmap's 1:1 model. It blocks in epoll_wait on the kick eventfds, the TAP queue fd
/// (only while RX buffers are posted) and a stop eventfd; works in budgeted batches; and sleeps only
/// after ring.h's final checks, so no kick can be lost between the last look and the sleep.
/// </summary>
internal sealed unsafe partial class VifQueue
{
    /// <summary>XENVIF_NAPI_WEIGHT / RX_BATCH_SIZE.</summary>
    public const int Budget = 64;

    private const ulong TokenStop = 0;
    private const ulong TokenTxKick = 1;
    private const ulong TokenRxKick = 2;
    private const ulong TokenTap = 3;

    private volatile bool _stopRequested;
    private bool _disabled;

    // Raw descriptors, valid while Run holds its leases.
    private int _tapFd = -1;
    private int _txCallFd = -1;
    private int _rxCallFd = -1;

    private void Run()
    {
        try
        {
            using var tap = new HandleLease(_tap);
            using var txKick = new HandleLease(_channels.TxKick.Handle);
            using var txCall = new HandleLease(_channels.TxCall.Handle);
            using var rxKick = new HandleLease(_channels.RxKick.Handle);
            using var rxCall = new HandleLease(_channels.RxCall.Handle);
            using var stop = new HandleLease(_stop.Handle);
            if (!tap.IsValid || !txKick.IsValid || !txCall.IsValid || !rxKick.IsValid || !rxCall.IsValid || !stop.IsValid)
            {
                return; // torn down before the thread started
            }
            _tapFd = tap.Value;
            _txCallFd = txCall.Value;
            _rxCallFd = rxCall.Value;
            using var epoll = new Epoll();
            epoll.Add(stop.Value, Epoll.In, TokenStop);
            epoll.Add(txKick.Value, Epoll.In, TokenTxKick);
            if (_channels.IsSplit)
            {
                epoll.Add(rxKick.Value, Epoll.In, TokenRxKick);
            }
            epoll.Add(_tapFd, 0, TokenTap);
            Loop(epoll, txKick.Value, rxKick.Value);
        }
        catch (Exception e)
        {
            // A bug of ours, not the frontend's: this vif goes, the daemon and other vifs stay.
            _vif.Break($"worker {Name} failed: {e.GetType().Name}: {e.Message}", e);
        }
    }

    private void Loop(Epoll epoll, int txKickFd, int rxKickFd)
    {
        Span<epoll_event> events = stackalloc epoll_event[4];
        bool tapArmed = false;
        long allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
        while (!_stopRequested && !_disabled)
        {
            bool more;
            do
            {
                more = TxAction(Budget) == Budget;
                if (_disabled)
                {
                    return;
                }
                more |= RxAction(Budget) == Budget;
                if (_disabled)
                {
                    return;
                }
            }
            while (more && !_stopRequested);

            // RING_FINAL_CHECK_FOR_REQUESTS on the TX ring: arm req_event, then look once more.
            // Out of credit (rate=), requests are known to wait: sleep until the next window instead.
            int timeoutMs = TxCreditTimeoutMs();
            if (timeoutMs < 0 && _tx.FinalCheckForRequests())
            {
                continue;
            }
            // Guest RX: read the TAP only while enough buffers are posted; otherwise ask to be kicked
            // when the frontend has posted enough (netback's xenvif_rx_ring_slots_available).
            bool haveBuffers = _rx.UnconsumedRequests() >= _rxSlotsPerFrame;
            if (!haveBuffers)
            {
                Counters.RxNoBuffers++;
                _rx.SetRequestEvent(_rx.ReqCons + _rxSlotsPerFrame);
                haveBuffers = _rx.UnconsumedRequests() >= _rxSlotsPerFrame;
            }
            if (haveBuffers != tapArmed)
            {
                epoll.Modify(_tapFd, haveBuffers ? Epoll.In : 0, TokenTap);
                tapArmed = haveBuffers;
            }
            timeoutMs = EarlierTimeout(timeoutMs, RxStallCheck(haveBuffers));

            // Once per round, not per packet: current whenever the worker sleeps.
            Counters.WorkerAllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - allocatedAtStart;
            int n = epoll.Wait(events, timeoutMs);
            Counters.Wakeups++;
            for (int i = 0; i < n; i++)
            {
                switch (events[i].data.u64)
                {
                    case TokenStop:
                        return;
                    case TokenTxKick:
                        EventChannel.Drain(txKickFd);
                        Counters.NotificationsReceived++;
                        break;
                    case TokenRxKick:
                        EventChannel.Drain(rxKickFd);
                        Counters.NotificationsReceived++;
                        break;
                }
            }
        }
    }

    /// <summary>The earlier of two epoll timeouts in ms, -1 meaning none.</summary>
    private static int EarlierTimeout(int a, int b) => a < 0 ? b : b < 0 ? a : Math.Min(a, b);

    /// <summary>Marks this queue dead and disables the whole vif (xenvif_fatal_tx_err).</summary>
    private void Fatal(DataPath.FatalReason reason, string detail)
    {
        _disabled = true;
        _vif.FatalError(this, reason, detail);
    }

    /// <summary>Is <paramref name="gref"/> one of the data pages the frontend announced?</summary>
    private bool IsDataGref(uint gref) => gref >= _dataPageFirst && gref < _pageCount;

    private byte* PageAddress(uint gref) => _grantBase + (nint)gref * Ring.Shared.Abi.NetifLimits.PageSize;
}
