namespace Netback.Daemon.Diagnostics;

/// <summary>
/// Daemon-wide worker events that outlive their vif: a worker that did not stop when its vif was
/// torn down (<c>netback.workers.stuck</c>). Rare, so interlocked is fine.
/// </summary>
internal static class WorkerCounters
{
    private static long s_stuck;

    public static void CountStuck() => Interlocked.Increment(ref s_stuck);

    public static long Stuck => Interlocked.Read(ref s_stuck);
}
