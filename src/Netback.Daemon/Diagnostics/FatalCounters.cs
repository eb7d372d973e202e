namespace Netback.Daemon.Diagnostics;

/// <summary>
/// Fatal frontend errors by reason, daemon-wide: the vif they disable (and its per-queue counters)
/// goes away, the count stays for <c>netback.frontend.fatal_errors</c>. Rare, so interlocked is fine.
/// </summary>
internal static class FatalCounters
{
    private static readonly long[] Counts = new long[(int)FatalReason.Count];

    public static void Increment(FatalReason reason) => Interlocked.Increment(ref Counts[(int)reason]);

    public static long Read(FatalReason reason) => Interlocked.Read(ref Counts[(int)reason]);

    public static IEnumerable<System.Diagnostics.Metrics.Measurement<long>> Observe()
    {
        for (int r = 0; r < (int)FatalReason.Count; r++)
        {
            yield return new System.Diagnostics.Metrics.Measurement<long>(Read((FatalReason)r),
                new KeyValuePair<string, object?>("reason", ((FatalReason)r).ToString()));
        }
    }
}
