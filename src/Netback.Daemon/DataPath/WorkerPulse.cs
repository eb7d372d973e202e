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
