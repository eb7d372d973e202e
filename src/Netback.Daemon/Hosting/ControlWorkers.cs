using System.Threading.Channels;

namespace Netback.Daemon.Hosting;

/// <summary>
/// The few threads (<c>xenbus-work-N</c>, Netback:ControlWorkerThreads) that run a session's slow
/// step, building a vif or tearing one down, off the xenbus loop. Work comes in on one channel and
/// goes back on another, the loop woken after each; the channels order what the worker wrote before
/// the loop reads it. A session has at most one step queued or running, so the queue holds at most
/// one item per session: pending handshakes plus vifs. <c>Channel&lt;T&gt;</c> stays on the control
/// plane; nothing here is per packet.
/// </summary>
internal sealed class ControlWorkers
{
    private readonly Channel<SessionEntry> _work;
    private readonly Channel<SessionEntry> _done = Channel.CreateUnbounded<SessionEntry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action _wakeLoop;
    private readonly Thread[] _threads;

    /// <param name="capacity">Sessions that can exist at once: a full queue is a bug, never a wait.</param>
    public ControlWorkers(int threads, int capacity, Action wakeLoop)
    {
        // Synchronous continuations: a worker blocked in WaitToRead is released by the loop's write
        // itself (setting a task, nothing more), not through a hop to the thread pool, which would
        // grow it for nothing.
        _work = Channel.CreateBounded<SessionEntry>(new BoundedChannelOptions(capacity) { SingleWriter = true, AllowSynchronousContinuations = true });
        _wakeLoop = wakeLoop;
        _threads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Run) { Name = $"xenbus-work-{i}", IsBackground = true };
        }
    }

    public void Start()
    {
        foreach (var t in _threads)
        {
            t.Start();
        }
    }

    /// <summary>Queues a session's step; false only if the queue is full, which its capacity rules out.</summary>
    public bool TryPost(SessionEntry entry) => _work.Writer.TryWrite(entry);

    /// <summary>A session whose step is done, for the loop.</summary>
    public bool TryTakeDone(out SessionEntry entry) => _done.Reader.TryRead(out entry!);

    /// <summary>No more work: idle workers exit; one still in a step finishes it first (background threads: never holding up the exit).</summary>
    public void Complete() => _work.Writer.TryComplete();

    private void Run()
    {
        var reader = _work.Reader;
        // A dedicated thread may block: waiting on the channel synchronously keeps the work off the thread pool.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var entry))
            {
                entry.Session.RunWork(); // never throws: a failure is the session's to report
                _done.Writer.TryWrite(entry);
                _wakeLoop();
            }
        }
    }
}
