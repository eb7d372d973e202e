using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Netback.Daemon.Diagnostics;

/// <summary>
/// The rate limit on Information lines a frontend causes by connecting (a connection accepted, a vif
/// connected or disconnected): routine, so generous, but a frontend connecting in a loop must not
/// fill the journal either. Kept apart from <see cref="FrontendWarnings"/>, so such a loop cannot
/// use up the budget of the warnings that matter.
/// </summary>
internal static class FrontendNotices
{
    /// <summary>One limiter per logger, as <see cref="FrontendWarnings"/>: per daemon, and per test backend.</summary>
    private static readonly ConditionalWeakTable<ILogger, WarningRateLimiter> Limiters = [];

    /// <summary>50 at once (a restart's worth of reconnecting vifs), then 10 a second.</summary>
    public static WarningRateLimiter Limiter(ILogger logger) =>
        Limiters.GetValue(logger, _ => new WarningRateLimiter(50, TimeSpan.FromMilliseconds(100)));
}
