namespace Netback.Daemon.Diagnostics;

/// <summary>
/// A token bucket for Warning lines a frontend can provoke (refusals, fatal errors), in the spirit of
/// the kernel's <c>net_ratelimit()</c>: a hostile frontend that reconnects and misbehaves in a loop
/// must not flood the journal. Up to <see cref="Burst"/> lines at once, refilled at one line per
/// <see cref="Interval"/>; what is held back is counted and reported with the next line let through.
/// Not on a per-packet path, so a lock is fine.
/// </summary>
internal sealed class WarningRateLimiter
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private double _tokens;
    private long _lastRefill;
    private long _suppressed;

    public WarningRateLimiter(int burst, TimeSpan interval, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Burst = burst;
        Interval = interval;
        _time = time ?? TimeProvider.System;
        _tokens = burst;
        _lastRefill = _time.GetTimestamp();
    }

    public int Burst { get; }

    public TimeSpan Interval { get; }

    /// <summary>
    /// True when a line may be written now; <paramref name="suppressed"/> then says how many were held
    /// back since the last one. False counts this line as suppressed.
    /// </summary>
    public bool TryAcquire(out long suppressed)
    {
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            _tokens = Math.Min(Burst, _tokens + _time.GetElapsedTime(_lastRefill, now) / Interval);
            _lastRefill = now;
            if (_tokens < 1)
            {
                _suppressed++;
                suppressed = 0;
                return false;
            }
            _tokens -= 1;
            suppressed = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}
