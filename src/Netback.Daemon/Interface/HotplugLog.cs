using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Interface;

/// <summary>
/// Hotplug scripts' lines. A frontend causes a run each time it connects, so the script's lines
/// are rate-limited daemon-wide (their own budget: a chatty script cannot use up the warnings), and
/// every one is a single escaped line.
/// </summary>
internal static partial class HotplugLog
{
    private static readonly ConditionalWeakTable<ILogger, WarningRateLimiter> Limiters = [];

    /// <summary>100 at once (a restart's worth of vifs coming back), then 10 a second.</summary>
    private static WarningRateLimiter Limiter(ILogger logger) =>
        Limiters.GetValue(logger, _ => new WarningRateLimiter(100, TimeSpan.FromMilliseconds(100)));

    /// <summary>One line of a script's stderr, escaped and bounded by <see cref="HotplugOutput"/>.</summary>
    public static void Line(ILogger logger, string vif, string script, string command, string line)
    {
        if (Limiter(logger).TryAcquire(out long suppressed))
        {
            LineCore(logger, vif, script, command, line, suppressed);
        }
    }

    [LoggerMessage(60, LogLevel.Information, "{Vif}: {Script} {Command}: {Line} ({Suppressed} script lines suppressed before this one)")]
    private static partial void LineCore(ILogger logger, string vif, string script, string command, string line, long suppressed);

    [LoggerMessage(61, LogLevel.Information, "{Vif}: {Script} {Command} wrote {Count} more lines, not logged")]
    public static partial void LinesNotLogged(ILogger logger, string vif, string script, string command, int count);

    [LoggerMessage(62, LogLevel.Debug, "{Vif}: {Script} {Command} done in {Milliseconds} ms")]
    public static partial void Done(ILogger logger, string vif, string script, string command, long milliseconds);

    /// <summary>An offline run failed: the vif goes anyway, but what the script set up may be left behind.</summary>
    public static void OfflineFailed(ILogger logger, string vif, string script, string reason)
    {
        if (FrontendWarnings.Limiter(logger).TryAcquire(out long suppressed))
        {
            OfflineFailedCore(logger, vif, script, reason, suppressed);
        }
    }

    [LoggerMessage(63, LogLevel.Warning, "{Vif}: hotplug script {Script} offline failed: {Reason}; the vif is removed, what the script set up may remain ({Suppressed} similar warnings suppressed before this one)")]
    private static partial void OfflineFailedCore(ILogger logger, string vif, string script, string reason, long suppressed);

    [LoggerMessage(64, LogLevel.Error, "{Vif}: hotplug script {Script} (pid {Pid}) did not die within 2 s of SIGKILL; it is left unreaped")]
    public static partial void NotReaped(ILogger logger, string vif, string script, int pid);
}
