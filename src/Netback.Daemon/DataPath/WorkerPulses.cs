namespace Netback.Daemon.DataPath;

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
