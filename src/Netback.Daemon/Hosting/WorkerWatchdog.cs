using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Netback.Daemon.DataPath;

namespace Netback.Daemon.Hosting;

/// <summary>
/// systemd's watchdog (WatchdogSec= in netback.service, WATCHDOG_USEC in the environment): every half
/// period it sends WATCHDOG=1, but only while every vif worker thread is alive (sleeping in
/// epoll_wait, or moved since the last look, <see cref="WorkerPulses"/>). A stuck worker (spinning,
/// blocked, deadlocked) stops the pings: one Error line names it, and systemd kills and restarts
/// the daemon at the end of the period, as it would a hung one.
/// </summary>
internal sealed partial class WorkerWatchdog : IHostedService, IDisposable
{
    private readonly ISystemdNotifier? _notifier;
    private readonly WorkerPulses _pulses;
    private readonly ILogger<WorkerWatchdog> _logger;
    private readonly TimeSpan? _interval;
    private Timer? _timer;
    private bool _withheld;

    public WorkerWatchdog(IServiceProvider services, ILogger<WorkerWatchdog> logger)
        : this(services.GetService(typeof(ISystemdNotifier)) as ISystemdNotifier, WorkerPulses.Default, logger,
            Interval(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId))
    {
    }

    internal WorkerWatchdog(ISystemdNotifier? notifier, WorkerPulses pulses, ILogger<WorkerWatchdog> logger, TimeSpan? interval)
    {
        _notifier = notifier;
        _pulses = pulses;
        _logger = logger;
        _interval = interval;
    }

    /// <summary>
    /// sd_watchdog_enabled(3): half of WATCHDOG_USEC when it is set and WATCHDOG_PID is unset or this
    /// process; null (no watchdog) otherwise.
    /// </summary>
    internal static TimeSpan? Interval(string? usec, string? pid, int myPid)
    {
        if (!ulong.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out ulong us) || us == 0)
        {
            return null;
        }
        if (!string.IsNullOrEmpty(pid) && pid != myPid.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }
        return TimeSpan.FromMicroseconds(us / 2);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_interval is { } every && _notifier is { IsEnabled: true })
        {
            _timer = new Timer(_ => Tick(), null, TimeSpan.Zero, every);
            WatchdogOn(_logger, every.TotalMilliseconds);
        }
        return Task.CompletedTask;
    }

    /// <summary>One look: WATCHDOG=1 if no worker is stuck; true if it was sent.</summary>
    internal bool Tick()
    {
        var stuck = _pulses.Stuck();
        if (stuck.Count == 0)
        {
            _notifier?.Notify(new ServiceState("WATCHDOG=1"));
            _withheld = false;
            return true;
        }
        if (!_withheld)
        {
            Withheld(_logger, stuck.Count, string.Join(", ", stuck));
            _withheld = true;
        }
        return false;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    [LoggerMessage(32, LogLevel.Information, "systemd watchdog: WATCHDOG=1 every {IntervalMs} ms while every vif worker is alive")]
    private static partial void WatchdogOn(ILogger logger, double intervalMs);

    [LoggerMessage(33, LogLevel.Error, "systemd watchdog: {Count} vif worker(s) stuck (neither waiting for work nor moving for a whole period): {Workers}; WATCHDOG=1 withheld, systemd will restart the daemon")]
    private static partial void Withheld(ILogger logger, int count, string workers);
}
