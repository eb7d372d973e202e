using Ring.Shared.Events;
using Netfront.Client;
using Tmds.Linux;

namespace Netback.RingFlood;

/// <summary>
/// Drives one queue flat out on its own thread, as a real frontend's queue thread would: batches of
/// <see cref="Budget"/>, one push per batch, ring.h's final check before sleeping on the call
/// eventfd. Nothing is allocated in the loop.
/// </summary>
internal sealed class FloodWorker
{
    /// <summary>Frames per batch, as netfront's NAPI weight and the daemon's budget.</summary>
    private const int Budget = 64;

    /// <summary>Sleep bound: the stop flag is looked at least this often when no notification comes.</summary>
    private const int WaitMs = 100;

    private readonly NetfrontQueue _queue;
    private readonly FloodMode _mode;
    private readonly byte[] _frame;
    private readonly bool _zeroCopy;
    private readonly Thread _thread;
    private volatile bool _stop;

    public FloodWorker(NetfrontQueue queue, FloodMode mode, int frameSize, bool zeroCopy)
    {
        _queue = queue;
        _mode = mode;
        _zeroCopy = zeroCopy;
        _frame = new byte[frameSize];
        // A broadcast Ethernet frame with an experimental EtherType: valid to any parser, owned by nobody.
        _frame.AsSpan(0, 6).Fill(0xff);
        _frame[6] = 0x02;
        _frame[12] = 0x88;
        _frame[13] = 0xb5;
        _thread = new Thread(Run) { Name = $"ringflood-q{queue.Index}", IsBackground = true };
    }

    public Exception? Failure { get; private set; }

    public NetfrontQueueCounters Counters => _queue.Counters;

    public void Start() => _thread.Start();

    public void Stop()
    {
        _stop = true;
        _thread.Join();
    }

    private void Run()
    {
        try
        {
            using var epoll = new Epoll();
            epoll.Add(_mode == FloodMode.Tx ? _queue.TxCallFd : _queue.RxCallFd, Epoll.In, 0);
            if (_mode == FloodMode.Tx)
            {
                RunTx(epoll);
            }
            else
            {
                RunRx(epoll);
            }
        }
        catch (Exception e) when (e is NetfrontException or InvalidOperationException)
        {
            Failure = e;
        }
    }

    private void RunTx(Epoll epoll)
    {
        Span<epoll_event> events = stackalloc epoll_event[1];
        ReadOnlySpan<byte> frame = _frame;
        while (!_stop)
        {
            _queue.ReclaimTxResponses();
            int sent = 0;
            while (sent < Budget && _queue.FreeTxSlots > 0)
            {
                if (_zeroCopy)
                {
                    // The page keeps whatever it held: this measures the ring alone, no memcpy.
                    _queue.TryBeginSend(out _, out int token);
                    _queue.CommitSend(token, frame.Length);
                }
                else
                {
                    _queue.TrySend(frame);
                }
                sent++;
            }
            _queue.PushTransmits();
            if (sent > 0)
            {
                continue;
            }
            // Ring full: RING_FINAL_CHECK_FOR_RESPONSES, then sleep until the backend answers.
            if (_queue.FinalCheckForTxResponses())
            {
                continue;
            }
            Wait(epoll, events, tx: true);
        }
    }

    private void RunRx(Epoll epoll)
    {
        Span<epoll_event> events = stackalloc epoll_event[1];
        var sink = default(NullSink);
        while (!_stop)
        {
            if (_queue.ReceiveBatch(sink, Budget) > 0)
            {
                continue;
            }
            if (_queue.FinalCheckForRxResponses())
            {
                continue;
            }
            Wait(epoll, events, tx: false);
        }
    }

    private void Wait(Epoll epoll, Span<epoll_event> events, bool tx)
    {
        if (epoll.Wait(events, WaitMs) > 0)
        {
            _queue.Counters.Wakeups++;
            if (tx)
            {
                _queue.DrainTxCall();
            }
            else
            {
                _queue.DrainRxCall();
            }
        }
    }

    /// <summary>Discards received frames: the queue's counters already count them.</summary>
    private readonly struct NullSink : IFrameSink
    {
        public void OnFrame(ReadOnlySpan<byte> frame)
        {
        }
    }
}
