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

    [LoggerMessage(8, LogLevel.Error, "Worker {Queue} is stuck: it did not stop within {Seconds} s of its vif's teardown; {Vif} keeps its mapping, event channels and TAP")]
    public static partial void WorkerStuck(ILogger logger, string queue, double seconds, string vif);

    [LoggerMessage(19, LogLevel.Information, "{Vif}: its {Count} stuck worker(s) stopped at last; the vif is torn down")]
    public static partial void WorkersStoppedLate(ILogger logger, string vif, int count);

    [LoggerMessage(12, LogLevel.Warning, "{Vif}: guest Rx stalled (queue {Queue}: no RX buffers posted for {Seconds} s while frames waited); carrier off")]
    public static partial void RxStalled(ILogger logger, string vif, int queue, double seconds);

    [LoggerMessage(13, LogLevel.Information, "{Vif}: guest Rx ready (queue {Queue} has buffers again); carrier on")]
    public static partial void RxReady(ILogger logger, string vif, int queue);
}
