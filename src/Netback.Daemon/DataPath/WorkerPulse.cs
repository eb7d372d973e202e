namespace Netback.Daemon.DataPath;

/// <summary>
/// A worker thread's sign of life for the systemd watchdog: a count of rounds it bumps at every
/// batch and every wake-up, and whether it sleeps in epoll_wait now. A worker is alive if it sleeps
/// there (the kernel wakes it) or has moved since the last look; a worker that did neither for a
/// whole watchdog period is stuck. Two plain stores per round: nothing per packet.
/// </summary>
internal sealed class WorkerPulse(string name)
{
    private long _rounds;
    private int _sleeping;

    public string Name { get; } = name;

    /// <summary>The round count the watchdog saw last (its own field, read and written by it alone).</summary>
    internal long SeenRounds { get; set; } = -1;

    public long Rounds => Volatile.Read(ref _rounds);

    public bool Sleeping => Volatile.Read(ref _sleeping) != 0;

    /// <summary>Called by the worker alone, once per batch or wake-up.</summary>
    public void Beat() => Volatile.Write(ref _rounds, _rounds + 1);

    /// <summary>Around epoll_wait, by the worker alone.</summary>
    public void Sleep(bool sleeping) => Volatile.Write(ref _sleeping, sleeping ? 1 : 0);
}

/// <summary>The live workers' pulses: registered when a worker thread starts its loop, removed when it leaves.</summary>
internal sealed class WorkerPulses
{
    public static WorkerPulses Default { get; } = new();

    private readonly Lock _gate = new();
    private readonly HashSet<WorkerPulse> _live = [];

    public void Add(WorkerPulse pulse)
    {
        lock (_gate)
        {
            _live.Add(pulse);
        }
    }

    public void Remove(WorkerPulse pulse)
    {
        lock (_gate)
        {
            _live.Remove(pulse);
        }
    }

    /// <summary>
    /// The workers that neither slept in epoll_wait nor moved since the previous call (a worker seen
    /// for the first time is given the benefit of the doubt). Call from one thread (the watchdog).
    /// </summary>
    public List<string> Stuck()
    {
        var stuck = new List<string>();
        lock (_gate)
        {
            foreach (var p in _live)
            {
                long rounds = p.Rounds;
                if (!p.Sleeping && rounds == p.SeenRounds)
                {
                    stuck.Add(p.Name);
                }
                p.SeenRounds = rounds;
            }
        }
        stuck.Sort(StringComparer.Ordinal);
        return stuck;
    }
}
