using System.Diagnostics;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Tmds.Linux;

namespace Netback.Daemon.DataPath;

/// <summary>
/// A worker thread and the queues it serves (<see cref="QueueService{TIo}"/>), whatever the thread
/// model: one queue, both directions (<c>per-queue</c>, the roadmap's 1:1); one direction of one
/// queue (<c>split</c>); or many queues of many vifs (<c>pool:N</c>, netback's old <c>netback/N</c>
/// kthreads). It blocks in one epoll_wait on every kick port and TAP queue fd of its queues (tokens
/// name the queue's slot and the source) and on a wake eventfd of its own; gives each queue with work
/// one budgeted turn per direction, round-robin, until none has more; and sleeps only after every
/// queue it worked has passed ring.h's final checks, so no kick can be lost between the last look and
/// the sleep.
/// <para>
/// Queues come and go through a mailbox (<see cref="Post"/>, <see cref="Leave"/>: a lock per
/// attach or detach, none per packet or per round) read when the wake eventfd or a round's end says
/// mail is there. A queue whose frontend breaks its vif leaves at once; the thread goes on serving
/// the others. A dedicated thread (<c>per-queue</c>, <c>split</c>) ends when its queue has left; a
/// pool thread when the pool closes.
/// </para>
/// </summary>
internal sealed class QueueWorker<TIo> where TIo : struct, IFrameIo
{
    /// <summary>XENVIF_NAPI_WEIGHT / RX_BATCH_SIZE: a queue's turn per direction per round.</summary>
    public const int Budget = 64;

    private const ulong TokenWake = ulong.MaxValue;

    private readonly Thread _thread;
    private readonly EventChannel _wake = EventChannel.Create();
    private readonly WorkerPulse _pulse;
    private readonly bool _dedicated;
    private readonly object _mailLock = new();
    private readonly List<QueueService<TIo>> _arriving = [];
    private readonly List<QueueService<TIo>> _leaving = [];
    private QueueService<TIo>?[] _slots = new QueueService<TIo>?[4];
    private int _high;
    private int _attached;
    private int _load;
    private long _pollTicks;
    private volatile int _mail;
    private volatile bool _closing;
    private bool _exited;
    private QueueService<TIo>? _current;

    /// <param name="name">The thread's name: the queue's (<c>vif3.0-q1</c>), with <c>-tx</c>/<c>-rx</c>, or <c>netback/N</c>.</param>
    /// <param name="index">Its index in a pool (0 for a dedicated thread).</param>
    /// <param name="dedicated">Ends once the queues posted before <see cref="Start"/> have left.</param>
    public QueueWorker(string name, int index, bool dedicated)
    {
        Name = name;
        Index = index;
        _dedicated = dedicated;
        _thread = new Thread(Run) { Name = name, IsBackground = true };
        _pulse = new WorkerPulse(name);
    }

    public string Name { get; }

    public int Index { get; }

    /// <summary>Queues attached or on their way (the pool's least-loaded choice reads it).</summary>
    public int Load => Volatile.Read(ref _load);

    /// <summary>
    /// What this thread allocated attaching and detaching queues (on the thread alone): taken out of
    /// each queue's allocation figure, so that a vif joining a pool worker does not show on its neighbours.
    /// </summary>
    internal long ControlAllocated { get; private set; }

    /// <summary>This thread's allocation net of <see cref="ControlAllocated"/>: the data path's own (on the thread alone).</summary>
    internal long DataPathAllocated => GC.GetAllocatedBytesForCurrentThread() - ControlAllocated;

    public void Start() => _thread.Start();

    /// <summary>
    /// Gives the worker a queue to serve from its next round on (any thread, never blocks). Attached
    /// for its life: only <see cref="Leave"/> or its vif's failure takes it away.
    /// </summary>
    public void Post(QueueService<TIo> service, long pollMicroseconds)
    {
        service.Worker = this;
        Interlocked.Increment(ref _load);
        lock (_mailLock)
        {
            if (_exited)
            {
                Interlocked.Decrement(ref _load);
                service.MarkDetached(); // the thread is gone: nothing will ever serve or touch it
                return;
            }
            _arriving.Add(service);
            _pollTicks = Math.Max(_pollTicks, Stopwatch.Frequency * pollMicroseconds / 1_000_000);
        }
        _mail = 1;
        _wake.TryNotify();
    }

    /// <summary>Asks the worker to let <paramref name="service"/> go (any thread, idempotent, never blocks).</summary>
    public void Leave(QueueService<TIo> service)
    {
        lock (_mailLock)
        {
            if (_exited)
            {
                return; // detached as the thread ended
            }
            _leaving.Add(service);
        }
        _mail = 1;
        _wake.TryNotify(); // false once the thread has ended and closed it: nothing to wake
    }

    /// <summary>Ends a pool thread: every queue still attached is let go (any thread, never blocks).</summary>
    public void Close()
    {
        _closing = true;
        _mail = 1;
        _wake.TryNotify();
    }

    /// <summary>Waits for the thread to end; false if it did not within <paramref name="timeout"/>.</summary>
    public bool Join(TimeSpan timeout) => _thread.ThreadState == System.Threading.ThreadState.Unstarted || _thread.Join(timeout);

    private void Run()
    {
        HeldDescriptor? wake = null;
        Epoll? epoll = null;
        try
        {
            wake = new HeldDescriptor(_wake.Handle);
            epoll = new Epoll();
            // Edge-triggered and never read: each Post, Leave or Close is a write, hence a wake-up;
            // what it asks is in the mailbox.
            epoll.Add(wake.Fd, Epoll.In | Epoll.EdgeTriggered, TokenWake);
            WorkerPulses.Default.Add(_pulse);
            while (true)
            {
                try
                {
                    Serve(epoll);
                    break;
                }
                catch (Exception e) when (_current is { } failed)
                {
                    // A bug of ours while serving one queue: its vif goes; the thread and the others stay.
                    _current = null;
                    failed.Queue.Vif.Break($"worker {Name} failed on {failed.Name}: {e.GetType().Name}: {e.Message}", e);
                    Drop(failed);
                }
            }
        }
        catch (Exception e)
        {
            // A bug of ours outside any queue: every vif served here goes, the daemon and the others stay.
            foreach (var s in _slots)
            {
                s?.Queue.Vif.Break($"worker {Name} failed: {e.GetType().Name}: {e.Message}", e);
            }
        }
        finally
        {
            WorkerPulses.Default.Remove(_pulse);
            QueueService<TIo>[] never;
            lock (_mailLock)
            {
                _exited = true;
                never = [.. _arriving];
                _arriving.Clear();
                _leaving.Clear();
            }
            foreach (var s in never)
            {
                s.MarkDetached();
            }
            for (int i = 0; i < _high; i++)
            {
                if (_slots[i] is { } s)
                {
                    Drop(s);
                }
            }
            epoll?.Dispose();
            wake?.Release();
            _wake.Dispose();
        }
    }

    private void Serve(Epoll epoll)
    {
        Span<epoll_event> events = stackalloc epoll_event[64];
        long lastWork = 0;
        long round = 0;
        while (true)
        {
            if (_mail != 0 && !TakeMail(epoll))
            {
                return;
            }
            if (_dedicated && _attached == 0)
            {
                return; // its queue left (stopped, or its vif broke)
            }

            // Every queue with work gets its turn per direction, round-robin, until none has more
            // (or mail came: a stop must not wait for a flood to end).
            int moved = 0;
            bool more;
            do
            {
                more = false;
                for (int i = 0; i < _high; i++)
                {
                    var s = _slots[i];
                    if (s is null || !s.Ready)
                    {
                        continue;
                    }
                    _pulse.Beat();
                    _current = s;
                    var step = s.Work(ref moved);
                    if (step == ServiceStep.Failed)
                    {
                        Drop(s); // the frontend's fatal error broke its vif: its other queues follow by mail
                        continue;
                    }
                    s.Touched = true;
                    s.Ready = step == ServiceStep.More;
                    more |= s.Ready;
                }
                _current = null;
            }
            while (more && _mail == 0);
            if (more)
            {
                continue;
            }

            // The polling window (Netback:PollMicroseconds): for a while after work, look again
            // instead of arming the event indexes and sleeping. The frontend sees a stale req_event
            // meanwhile and does not kick; the TAP is looked at by RxAction's readv each round.
            long now = Stopwatch.GetTimestamp();
            if (_pollTicks > 0 && !AnyCreditLimited())
            {
                if (moved > 0)
                {
                    lastWork = now;
                }
                if (now - lastWork < _pollTicks)
                {
                    for (int i = 0; i < _high; i++)
                    {
                        _slots[i]?.Polled();
                    }
                    Thread.SpinWait(8);
                    continue;
                }
            }

            // ring.h's final checks of every queue worked since the last sleep; any that finds
            // requests gets another turn before anyone sleeps.
            bool again = false;
            long deadline = long.MaxValue;
            for (int i = 0; i < _high; i++)
            {
                var s = _slots[i];
                if (s is null)
                {
                    continue;
                }
                if (s.Touched)
                {
                    _current = s;
                    s.Touched = false;
                    if (s.FinalCheck(now))
                    {
                        s.Ready = true;
                        again = true;
                    }
                }
                deadline = Math.Min(deadline, s.Deadline);
            }
            _current = null;
            if (again)
            {
                continue;
            }
            int timeoutMs = deadline == long.MaxValue ? -1
                : (int)Math.Clamp((deadline - now + Stopwatch.Frequency / 1000 - 1) * 1000 / Stopwatch.Frequency, 0, int.MaxValue);

            _pulse.Sleep(true);
            int n = epoll.Wait(events, timeoutMs);
            _pulse.Sleep(false);
            round++;
            now = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++)
            {
                ulong token = events[i].data.u64;
                if (token == TokenWake)
                {
                    continue; // the mail flag says what
                }
                var s = _slots[(int)(token >> 2)];
                if (s is null)
                {
                    continue; // left during this batch
                }
                _current = s;
                if (!s.Heard(token & 3, now, round))
                {
                    Drop(s); // a kick storm disabled its vif
                }
            }
            for (int i = 0; i < _high; i++)
            {
                if (_slots[i] is { } s && s.Deadline <= now)
                {
                    _current = s;
                    s.TimerDue(now, round);
                }
            }
            _current = null;
        }
    }

    /// <summary>
    /// Attaches the queues posted, lets go those asked to leave; false when the thread must end.
    /// Copies the mail out under the lock (an allocation per attach or detach, none per round).
    /// </summary>
    private bool TakeMail(Epoll epoll)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            return TakeMail(epoll, allocatedBefore);
        }
        finally
        {
            ControlAllocated += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        }
    }

    private bool TakeMail(Epoll epoll, long allocatedBefore)
    {
        _mail = 0;
        QueueService<TIo>[] arriving;
        QueueService<TIo>[] leaving;
        lock (_mailLock)
        {
            arriving = [.. _arriving];
            leaving = [.. _leaving];
            _arriving.Clear();
            _leaving.Clear();
        }
        foreach (var s in arriving)
        {
            if (s.StopRequested)
            {
                Interlocked.Decrement(ref _load);
                s.MarkDetached();
                continue;
            }
            int slot = FreeSlot();
            _current = s;
            if (s.StartServing(epoll, slot, Name, pin: _dedicated))
            {
                _slots[slot] = s;
                _high = Math.Max(_high, slot + 1);
                _attached++;
            }
            else
            {
                Interlocked.Decrement(ref _load);
            }
            _current = null;
        }
        foreach (var s in leaving)
        {
            if (s.Slot >= 0 && ReferenceEquals(_slots[s.Slot], s))
            {
                Drop(s);
            }
        }
        // The queues attached now count their allocation from here, net of this mail's.
        long net = allocatedBefore - ControlAllocated; // DataPathAllocated once this mail's allocation is counted
        foreach (var s in arriving)
        {
            if (s.Slot >= 0 && ReferenceEquals(_slots[s.Slot], s))
            {
                s.CountAllocationFrom(net);
            }
        }
        return !_closing;
    }

    /// <summary>The queue leaves this worker for good: unregistered, its slot free, its waiter told.</summary>
    private void Drop(QueueService<TIo> s)
    {
        int slot = s.Slot;
        s.Detach();
        if (slot >= 0 && ReferenceEquals(_slots[slot], s))
        {
            _slots[slot] = null;
            _attached--;
            Interlocked.Decrement(ref _load);
            while (_high > 0 && _slots[_high - 1] is null)
            {
                _high--;
            }
        }
    }

    private int FreeSlot()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (_slots[i] is null)
            {
                return i;
            }
        }
        int free = _slots.Length;
        Array.Resize(ref _slots, _slots.Length * 2);
        return free;
    }

    private bool AnyCreditLimited()
    {
        for (int i = 0; i < _high; i++)
        {
            if (_slots[i] is { CreditLimited: true })
            {
                return true;
            }
        }
        return false;
    }
}
