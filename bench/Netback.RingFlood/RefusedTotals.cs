namespace Netback.RingFlood;

/// <summary>
/// TX frames the daemon refused over the whole run (warm-up included) and, when the run is not a
/// result, why (<c>null</c> for a good run).
/// </summary>
internal readonly record struct RefusedTotals(long Errors, long Dropped, string? Failure)
{
    public static RefusedTotals None => default;
}
