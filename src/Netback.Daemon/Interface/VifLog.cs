using Microsoft.Extensions.Logging;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Interface;

/// <summary>Vif lifecycle log events (interface.c's messages). Nothing is logged per packet.</summary>
internal static partial class VifLog
{
    /// <summary>A vif disabled by its frontend's fatal error, rate-limited daemon-wide.</summary>
    public static void FrontendFatal(ILogger logger, string vif, int queue, FatalReason reason, string detail)
    {
        if (FrontendWarnings.Limiter(logger).TryAcquire(out long suppressed))
        {
            FrontendFatalCore(logger, vif, queue, reason, detail, suppressed);
        }
    }

    [LoggerMessage(6, LogLevel.Warning, "{Vif} disabled: fatal frontend error on queue {Queue}: {Reason} ({Detail}; {Suppressed} similar warnings suppressed before this one)")]
    private static partial void FrontendFatalCore(ILogger logger, string vif, int queue, FatalReason reason, string detail, long suppressed);

    [LoggerMessage(7, LogLevel.Critical, "{Vif} broken by an internal error: {Reason}")]
    public static partial void WorkerCrashed(ILogger logger, Exception error, string vif, string reason);

    [LoggerMessage(8, LogLevel.Error, "Worker {Queue} did not stop within 5 s; its mapping is left in place")]
    public static partial void WorkerDidNotStop(ILogger logger, string queue);

    [LoggerMessage(12, LogLevel.Warning, "{Vif}: guest Rx stalled (queue {Queue}: no RX buffers posted for {Seconds} s while frames waited); carrier off")]
    public static partial void RxStalled(ILogger logger, string vif, int queue, double seconds);

    [LoggerMessage(13, LogLevel.Information, "{Vif}: guest Rx ready (queue {Queue} has buffers again); carrier on")]
    public static partial void RxReady(ILogger logger, string vif, int queue);
}
