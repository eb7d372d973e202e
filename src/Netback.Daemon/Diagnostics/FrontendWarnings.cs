using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Netback.Daemon.Diagnostics;

/// <summary>
/// The rate limit shared by every Warning a frontend can provoke (refusals, fatal errors): a hostile
/// frontend that reconnects and misbehaves in a loop must not flood the journal.
/// </summary>
internal static class FrontendWarnings
{
    /// <summary>
    /// One limiter per logger: the daemon's sessions and vifs share one logger per listener, so this
    /// limits a whole daemon (and keeps test backends in one process independent of each other).
    /// </summary>
    private static readonly ConditionalWeakTable<ILogger, WarningRateLimiter> Limiters = [];

    public static WarningRateLimiter Limiter(ILogger logger) =>
        Limiters.GetValue(logger, _ => new WarningRateLimiter(10, TimeSpan.FromSeconds(1)));
}
