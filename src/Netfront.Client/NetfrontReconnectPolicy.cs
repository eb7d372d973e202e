namespace Netfront.Client;

/// <summary>
/// What a <see cref="NetfrontConnection"/> does when the backend goes away (a daemon restart): try
/// again with exponential backoff, asking for the same vif (domid, devid, MAC, queue count), as a Xen
/// guest's netfront reconnects when its backend returns; or give up at once.
/// </summary>
public sealed class NetfrontReconnectPolicy
{
    /// <summary>Reconnect with the defaults: 50 ms doubling to 500 ms, so a restarted daemon is found within half a second of listening.</summary>
    public static NetfrontReconnectPolicy Default { get; } = new();

    /// <summary>Never reconnect: the connection ends with the backend's reason.</summary>
    public static NetfrontReconnectPolicy Never { get; } = new() { Enabled = false };

    /// <summary>Whether to reconnect at all.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The wait before the first attempt; doubled after each failed one.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest wait between attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The wait after <paramref name="delay"/>: doubled, at most <see cref="MaxDelay"/>.</summary>
    internal TimeSpan Next(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));

    internal void Validate()
    {
        if (FirstDelay <= TimeSpan.Zero || MaxDelay < FirstDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(FirstDelay), FirstDelay, "reconnect delays must be positive, the first no longer than the longest");
        }
    }
}
