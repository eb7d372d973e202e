using System.Diagnostics;
using Netback.Daemon.Configuration;

namespace Netback.Daemon.DataPath;

/// <summary>
/// Guest-TX rate limiting, netback.c's credit scheme (<c>tx_credit_exceeded</c>,
/// <c>tx_add_credit</c>, <c>xenvif_tx_credit_callback</c>): each interval adds <c>credit_bytes</c>
/// up to a burst of at least 128 KiB; a packet is charged its full size (the first slot's
/// <c>size</c>) before it is built; one that does not fit stays on the ring until the next window.
/// Differences from netback, on purpose:
/// <list type="bullet">
/// <item>No timer: the worker asks <see cref="TryConsume"/> and, refused, sleeps in epoll_wait for the
///   returned time (the window's end) instead of a kernel timer firing the callback.</item>
/// <item>One bucket per vif, shared by its queues (netback keeps one per queue, so a vif with N
///   queues gets N times its <c>rate=</c>): the charge is an <see cref="Interlocked"/> add, no lock.</item>
/// <item>A window that ends while the queue is busy starts the next at its scheduled time, not "now",
///   so late wake-ups (epoll's millisecond granularity) cost no rate.</item>
/// <item>The cap is max(128 KiB, 2 × credit_bytes): netback's max(128 KiB, credit_bytes) throws away
///   whatever a window left unspent, so a TCP sender whose supply hiccups for a moment (a busy CPU,
///   the ring refilling) never gets it back and ends well below the rate (measured: −13% at
///   200 Mb/s on a loaded 2-core machine). One window of catch-up keeps the long-run rate; the
///   price is a burst of at most two intervals after an idle spell.</item>
/// </list>
/// <see cref="SetRate"/> may run on any thread while workers charge (the admin channel's live change).
/// </summary>
internal sealed class CreditScheduler
{
    /// <summary>netback's minimum burst: room for a 64 KiB+ GSO packet, so the interface never seizes up.</summary>
    public const long MinimumBurst = 131072;

    private readonly long _ticksPerSecond;
    private Settings? _settings;
    private long _remaining;
    private long _windowStart;

    /// <param name="ticksPerSecond">Clock frequency of the <c>now</c> values passed in (Stopwatch's by default; tests inject their own).</param>
    public CreditScheduler(long ticksPerSecond = 0) =>
        _ticksPerSecond = ticksPerSecond > 0 ? ticksPerSecond : Stopwatch.Frequency;

    /// <summary>The configured rate, or null for unlimited.</summary>
    public RateLimit? Rate => Volatile.Read(ref _settings)?.Rate;

    /// <summary>A rate is set: without one the TX path skips the credit check (and its clock read).</summary>
    public bool IsLimited => Volatile.Read(ref _settings) is not null;

    /// <summary>Remaining credit in bytes (for tests and listings; may be negative after an oversize packet).</summary>
    public long RemainingCredit => Volatile.Read(ref _remaining);

    /// <summary>
    /// Sets or clears (null) the rate. As netback's <c>xen_net_rate_changed</c>, the remaining credit
    /// is cut to one interval's worth; coming from unlimited, a fresh window starts at <paramref name="now"/>
    /// with one interval's credit (netback's initial state).
    /// </summary>
    public void SetRate(RateLimit? rate, long now)
    {
        if (rate is null)
        {
            Volatile.Write(ref _settings, null);
            return;
        }
        var settings = new Settings(rate, _ticksPerSecond);
        var previous = Volatile.Read(ref _settings);
        if (previous is null)
        {
            Volatile.Write(ref _windowStart, now);
            Volatile.Write(ref _remaining, settings.CreditBytes);
        }
        else
        {
            long r;
            do
            {
                r = Volatile.Read(ref _remaining);
            }
            while (r > settings.CreditBytes && Interlocked.CompareExchange(ref _remaining, settings.CreditBytes, r) != r);
        }
        Volatile.Write(ref _settings, settings);
    }

    /// <summary>
    /// Charges <paramref name="size"/> bytes if the credit allows; otherwise charges nothing and says
    /// how many ticks until the next window adds credit. Allocation-free, lock-free.
    /// </summary>
    public bool TryConsume(int size, long now, out long waitTicks)
    {
        waitTicks = 0;
        var s = Volatile.Read(ref _settings);
        if (s is null)
        {
            return true;
        }
        long start = Volatile.Read(ref _windowStart);
        long next = start + s.IntervalTicks;
        if (now >= next)
        {
            // Passed the point where we can replenish credit: keep the cadence if this window is
            // still current, start afresh after an idle spell of more than one interval.
            long newStart = now - next >= s.IntervalTicks ? now : next;
            if (Interlocked.CompareExchange(ref _windowStart, newStart, start) == start)
            {
                AddCredit(s);
            }
            next = Volatile.Read(ref _windowStart) + s.IntervalTicks;
        }
        long remaining = Interlocked.Add(ref _remaining, -size);
        if (remaining >= 0)
        {
            return true;
        }
        if (remaining + size >= s.MaxBurst)
        {
            // A full bucket sends even a packet larger than the burst (it then owes the difference);
            // with a 128 KiB minimum burst and 64 KiB packets this never happens in practice.
            return true;
        }
        Interlocked.Add(ref _remaining, size);
        waitTicks = Math.Max(1, next - now);
        return false;
    }

    /// <summary>Ticks to whole milliseconds for epoll_wait, rounded up (never wake before the window).</summary>
    public int TicksToTimeoutMs(long ticks) =>
        (int)Math.Min(int.MaxValue, (ticks * 1000 + _ticksPerSecond - 1) / _ticksPerSecond);

    /// <summary>tx_add_credit: remaining = min(remaining + credit_bytes, burst).</summary>
    private void AddCredit(Settings s)
    {
        long r, updated;
        do
        {
            r = Volatile.Read(ref _remaining);
            updated = Math.Min(r + s.CreditBytes, s.MaxBurst);
        }
        while (Interlocked.CompareExchange(ref _remaining, updated, r) != r);
    }

    /// <summary>Immutable per rate: swapped whole so a worker never sees half an update.</summary>
    private sealed class Settings
    {
        public Settings(RateLimit rate, long ticksPerSecond)
        {
            Rate = rate;
            CreditBytes = (long)Math.Min(rate.BytesPerInterval, long.MaxValue / 4);
            IntervalTicks = Math.Max(1, (long)((UInt128)rate.IntervalMicroseconds * (ulong)ticksPerSecond / 1_000_000));
            MaxBurst = Math.Max(MinimumBurst, 2 * CreditBytes);
        }

        public RateLimit Rate { get; }
        public long CreditBytes { get; }
        public long IntervalTicks { get; }
        public long MaxBurst { get; }
    }
}
