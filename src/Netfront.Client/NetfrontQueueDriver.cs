using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Topology;
using Tmds.Linux;

namespace Netfront.Client;

/// <summary>
/// Runs one <see cref="NetfrontQueue"/>: the epoll loop every frontend needs, once. Each round
/// reclaims TX responses (<c>xennet_tx_buf_gc</c>), receives up to the budget into the work
/// (<c>xennet_poll</c>), lets the work transmit up to the budget (<c>xennet_start_xmit</c>) and
/// pushes once; it polls again while a round moved anything, and before it sleeps makes ring.h's
/// RING_FINAL_CHECK_FOR_RESPONSES on the RX ring and, when the work waits for TX slots, on the TX
/// ring, so no notification is lost between the last look and the sleep. It sleeps in epoll_wait
/// on the queue's call eventfds, the work's <see cref="INetfrontQueueWork.TxWorkFd"/> and a stop
/// eventfd. Nothing is allocated, locked or boxed per round: the work is a struct the driver holds
/// and passes by reference. Run it on a dedicated named thread with <see cref="Start"/>, or on the
/// calling thread with <see cref="Run"/>.
/// </summary>
/// <typeparam name="TWork">The consumer's callbacks; a struct, so each call is direct.</typeparam>
public sealed class NetfrontQueueDriver<TWork> : IDisposable where TWork : INetfrontQueueWork
{
    /// <summary>Frames per direction per round: netfront's NAPI weight, and the daemon's budget.</summary>
    public const int Budget = 64;

    private const ulong TokenStop = 0;
    private const ulong TokenTxWork = 1;
    private const ulong TokenTxCall = 2;
    private const ulong TokenRxCall = 3;

    private readonly NetfrontQueue _queue;
    private readonly EventChannel _stop = EventChannel.Create();
    private readonly HeldDescriptor _stopFd;
    private readonly Epoll _epoll;
    private readonly int _txWorkFd;
    private readonly Action<Exception>? _onFailure;
    private TWork _work;
    private Thread? _thread;
    private bool _txWorkArmed;
    private volatile bool _stopRequested;
    private int _disposed;
    private long _allocated;

    /// <summary>
    /// Prepares the loop for <paramref name="queue"/> (epoll set, stop eventfd); nothing runs until
    /// <see cref="Start"/> or <see cref="Run"/>. <paramref name="onFailure"/> is called on the
    /// driver's thread when the loop ends with an exception under <see cref="Start"/>.
    /// <paramref name="sides"/> other than <see cref="NetfrontDriverSides.Both"/> runs one direction,
    /// for two drivers (two threads) on one queue, each with a copy of the work; it needs split event
    /// channels (two threads draining one call eventfd could each miss the other's wake-up).
    /// </summary>
    public NetfrontQueueDriver(NetfrontQueue queue, TWork work, string? threadName = null, Action<Exception>? onFailure = null,
        NetfrontDriverSides sides = NetfrontDriverSides.Both)
    {
        ArgumentNullException.ThrowIfNull(queue);
        if (sides != NetfrontDriverSides.Both && !queue.SplitEventChannels)
        {
            throw new ArgumentException($"a driver of one direction ({sides}) needs split event channels; queue {queue.Index} has one channel", nameof(sides));
        }
        _queue = queue;
        _work = work;
        _onFailure = onFailure;
        Sides = sides;
        ThreadName = threadName ?? sides switch
        {
            NetfrontDriverSides.Tx => $"netfront-q{queue.Index}-tx",
            NetfrontDriverSides.Rx => $"netfront-q{queue.Index}-rx",
            _ => $"netfront-q{queue.Index}",
        };
        _stopFd = new HeldDescriptor(_stop.Handle); // the loop uses the raw fd: held for the driver's life
        _epoll = new Epoll();
        _epoll.Add(_stopFd.Fd, Epoll.In, TokenStop);
        if (sides != NetfrontDriverSides.Rx)
        {
            _epoll.Add(queue.TxCallFd, Epoll.In, TokenTxCall);
        }
        if (queue.SplitEventChannels && sides != NetfrontDriverSides.Tx)
        {
            _epoll.Add(queue.RxCallFd, Epoll.In, TokenRxCall);
        }
        _txWorkFd = sides == NetfrontDriverSides.Rx ? -1 : work.TxWorkFd;
        if (_txWorkFd >= 0)
        {
            _epoll.Add(_txWorkFd, Epoll.In, TokenTxWork);
            _txWorkArmed = true;
        }
    }

    /// <summary>The directions this driver runs.</summary>
    public NetfrontDriverSides Sides { get; }

    /// <summary>Bytes this driver's loop has allocated (0 in steady state), current whenever it sleeps.</summary>
    public long AllocatedBytes => Volatile.Read(ref _allocated);

    /// <summary>The queue this driver runs.</summary>
    public NetfrontQueue Queue => _queue;

    /// <summary>The name of the thread <see cref="Start"/> creates (default <c>netfront-q&lt;index&gt;</c>).</summary>
    public string ThreadName { get; }

    /// <summary>
    /// The work, by reference: its fields are what the loop's callbacks left there. Read them from
    /// another thread only as counters (a stale value is fine); change them only while the loop is not running.
    /// </summary>
    public ref TWork Work => ref _work;

    /// <summary>
    /// The polling window: after a round that moved frames, the loop keeps going round (asking the
    /// work to look at its fd again each time) this long before it arms the event indices and sleeps,
    /// so a response or a frame that comes meanwhile costs no wake-up, and the backend sends no call
    /// (the stale <c>rsp_event</c> asks for none). Zero (the default) sleeps as soon as a round is
    /// idle. An idle queue costs nothing either way. Set it before the loop runs.
    /// </summary>
    public TimeSpan PollWindow { get; set; }

    /// <summary>Why the loop started by <see cref="Start"/> ended, if it ended with an exception.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>True while the thread started by <see cref="Start"/> runs.</summary>
    public bool IsRunning => _thread is { IsAlive: true };

    /// <summary>Runs the loop on a new background thread named <see cref="ThreadName"/>.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_thread is not null)
        {
            throw new InvalidOperationException("the driver's thread was started already");
        }
        _thread = new Thread(RunThread) { Name = ThreadName, IsBackground = true };
        _thread.Start();
    }

    /// <summary>
    /// Runs the loop on the calling thread until the work says <see cref="INetfrontQueueWork.IsDone"/>
    /// or <see cref="Stop"/> is called; exceptions (a broken queue, the work's own) propagate.
    /// May be called again after it returned.
    /// </summary>
    public void Run()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Span<epoll_event> events = stackalloc epoll_event[4];
        NetfrontQueueCounters counters = _queue.Counters;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread() - _allocated;
        bool tx = Sides != NetfrontDriverSides.Rx;
        bool rx = Sides != NetfrontDriverSides.Tx;
        long pollTicks = (long)(PollWindow.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        long lastWork = 0;
        while (!_stopRequested)
        {
            int rxBudget = rx ? Math.Min(Budget, _work.RxBudget) : 0;
            int received = rxBudget > 0 ? _queue.ReceiveSegments(ref _work, rxBudget) : 0;
            int transmitted = 0;
            if (tx)
            {
                _queue.ReclaimTxResponses();
                transmitted = _work.Transmit(_queue, Budget);
                _queue.PushTransmits();
            }
            if (_work.IsDone)
            {
                return;
            }
            if (received > 0 || transmitted > 0)
            {
                if (pollTicks > 0)
                {
                    lastWork = System.Diagnostics.Stopwatch.GetTimestamp();
                }
                continue; // poll while rounds move frames: the final checks and the sleep are for idle
            }
            if (pollTicks > 0 && System.Diagnostics.Stopwatch.GetTimestamp() - lastWork < pollTicks)
            {
                // The polling window: look again without arming rsp_event (so the backend sends no
                // call) and have the work try its fd (a read that finds it empty is the poll's cost).
                Interlocked.Increment(ref counters.Polls); // two drivers share the counters under split threads
                if (tx)
                {
                    _work.OnTxWorkReadable();
                }
                Thread.SpinWait(8);
                continue;
            }

            // RING_FINAL_CHECK_FOR_RESPONSES on RX: arm rsp_event, fence, look again.
            if (rxBudget > 0 && _queue.FinalCheckForRxResponses())
            {
                continue;
            }
            // TX responses matter only when the work waits for slots: then stop polling its fd and
            // ask for a TX call (at the next response, or halfway: the queue's TxCompletion);
            // otherwise they are reclaimed on the next round anyway.
            int wanted = tx ? _work.TxSlotsWanted : 0;
            bool needSlots = wanted > 0 && _queue.FreeTxSlots < wanted;
            if (needSlots && _queue.FinalCheckForTxResponses(wanted))
            {
                continue;
            }
            if (_txWorkFd >= 0 && needSlots == _txWorkArmed)
            {
                _epoll.Modify(_txWorkFd, needSlots ? 0 : Epoll.In, TokenTxWork);
                _txWorkArmed = !needSlots;
                if (needSlots)
                {
                    counters.TxRingFull++;
                }
            }
            int timeout = _work.SleepTimeout();
            if (timeout == 0)
            {
                continue;
            }
            // A round that began with no RX budget neither took frames nor armed rsp_event, so
            // neither the ring nor the backend will wake it for what is already published. The work
            // promises a wake for budget that comes back after SleepTimeout; budget that came back
            // during the round, before that, is seen here (the work's fence is behind us).
            if (rx && rxBudget == 0 && _work.RxBudget > 0)
            {
                continue;
            }
            Volatile.Write(ref _allocated, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
            if (Sides == NetfrontDriverSides.Both)
            {
                counters.DriverAllocatedBytes = _allocated; // under split threads, each driver's AllocatedBytes
            }
            int n = _epoll.Wait(events, timeout);
            Interlocked.Increment(ref counters.Wakeups);
            for (int i = 0; i < n; i++)
            {
                switch (events[i].data.u64)
                {
                    case TokenStop:
                        return;
                    case TokenTxWork:
                        _work.OnTxWorkReadable();
                        break;
                    case TokenTxCall:
                        _queue.DrainTxCall();
                        break;
                    case TokenRxCall:
                        _queue.DrainRxCall();
                        break;
                }
            }
        }
    }

    /// <summary>
    /// Ends the loop (it looks at a flag every round and at the stop eventfd while it sleeps) and
    /// waits for the thread of <see cref="Start"/>. Idempotent; the driver cannot run again after it.
    /// </summary>
    public void Stop()
    {
        _stopRequested = true;
        _stop.TryNotify(); // level-triggered, never drained: a loop about to sleep sees it too
        if (_thread is { } thread && thread != Thread.CurrentThread)
        {
            thread.Join();
        }
    }

    /// <summary>Stops the loop (see <see cref="Stop"/>) and closes the epoll and stop descriptors.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Stop();
        _epoll.Dispose();
        _stopFd.Release();
        _stop.Dispose();
    }

    private void RunThread()
    {
        try
        {
            if (_queue.Cpu is { } cpu)
            {
                // NetfrontOptions.Cpus: pinned before the first round, on the thread itself.
                int errno = Affinity.Set(0, CpuSet.Of([cpu]));
                if (errno != 0)
                {
                    throw new NetfrontException($"cannot pin {ThreadName} to CPU {cpu}: sched_setaffinity failed with errno {errno}");
                }
            }
            Run();
        }
        catch (Exception e)
        {
            Failure = e;
            _onFailure?.Invoke(e);
        }
    }
}
