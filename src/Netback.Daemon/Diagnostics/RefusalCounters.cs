using System.Diagnostics.Metrics;

namespace Netback.Daemon.Diagnostics;

/// <summary>
/// Refusals by reason, for <c>netback.connections.refused{reason}</c>. Process-wide like the Meter
/// that reads them; refusals are control-plane events, so an interlocked add is cheap enough.
/// </summary>
internal static class RefusalCounters
{
    private static readonly long[] Counts = new long[(int)RefusalReason.Count];

    public static void Increment(RefusalReason reason) => Interlocked.Increment(ref Counts[(int)reason]);

    public static long Read(RefusalReason reason) => Interlocked.Read(ref Counts[(int)reason]);

    public static IEnumerable<Measurement<long>> Observe()
    {
        for (int r = 0; r < (int)RefusalReason.Count; r++)
        {
            yield return new Measurement<long>(Read((RefusalReason)r),
                new KeyValuePair<string, object?>("reason", ((RefusalReason)r).ToTag()));
        }
    }
}
