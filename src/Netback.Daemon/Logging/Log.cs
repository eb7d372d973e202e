using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Netback.Daemon.DataPath;

namespace Netback.Daemon.Logging;

/// <summary>Every log event of the daemon, with stable event ids. Nothing is logged per packet.</summary>
internal static partial class Log
{
    /// <summary>
    /// One limiter per logger: the daemon's sessions and vifs share one logger per listener, so this
    /// limits a whole daemon (and keeps test backends in one process independent of each other).
    /// </summary>
    private static readonly ConditionalWeakTable<ILogger, WarningRateLimiter> FrontendLimiters = [];

    internal static WarningRateLimiter FrontendLimiter(ILogger logger) =>
        FrontendLimiters.GetValue(logger, _ => new WarningRateLimiter(10, TimeSpan.FromSeconds(1)));

    [LoggerMessage(1, LogLevel.Information, "Listening on {SocketPath} (max {MaxQueues} queues per vif, ring-page-order up to {MaxRingPageOrder}, split event channels {Split})")]
    public static partial void Listening(ILogger logger, string socketPath, int maxQueues, int maxRingPageOrder, bool split);

    [LoggerMessage(2, LogLevel.Information, "Control connection from pid {Pid} uid {Uid} gid {Gid}")]
    public static partial void FrontendAccepted(ILogger logger, int pid, uint uid, uint gid);

    [LoggerMessage(3, LogLevel.Information, "{Vif} connected: domid {DomId} handle {Handle}, {Queues} queue(s), ring-page-order {Order} ({TxSlots} TX / {RxSlots} RX slots), layout {Layout}, {Channels} event channels, mac {Mac}, mtu {Mtu}")]
    public static partial void VifConnected(ILogger logger, string vif, int domId, int handle, int queues, int order, uint txSlots, uint rxSlots, string layout, string channels, string mac, int mtu);

    [LoggerMessage(4, LogLevel.Information, "{Vif} disconnected ({Reason}); TAP removed")]
    public static partial void VifDisconnected(ILogger logger, string vif, string reason);

    /// <summary>A refused handshake, rate-limited daemon-wide.</summary>
    public static void FrontendRefused(ILogger logger, int pid, uint uid, string reason)
    {
        if (FrontendLimiter(logger).TryAcquire(out long suppressed))
        {
            FrontendRefusedCore(logger, pid, uid, reason, suppressed);
        }
    }

    /// <summary>A vif disabled by its frontend's fatal error, rate-limited daemon-wide.</summary>
    public static void FrontendFatal(ILogger logger, string vif, int queue, FatalReason reason, string detail)
    {
        if (FrontendLimiter(logger).TryAcquire(out long suppressed))
        {
            FrontendFatalCore(logger, vif, queue, reason, detail, suppressed);
        }
    }

    [LoggerMessage(5, LogLevel.Warning, "Refused frontend pid {Pid} uid {Uid}: {Reason} ({Suppressed} similar warnings suppressed before this one)")]
    private static partial void FrontendRefusedCore(ILogger logger, int pid, uint uid, string reason, long suppressed);

    [LoggerMessage(6, LogLevel.Warning, "{Vif} disabled: fatal frontend error on queue {Queue}: {Reason} ({Detail}; {Suppressed} similar warnings suppressed before this one)")]
    private static partial void FrontendFatalCore(ILogger logger, string vif, int queue, FatalReason reason, string detail, long suppressed);

    [LoggerMessage(7, LogLevel.Critical, "{Vif} broken by an internal error: {Reason}")]
    public static partial void WorkerCrashed(ILogger logger, Exception error, string vif, string reason);

    [LoggerMessage(8, LogLevel.Error, "Worker {Queue} did not stop within 5 s; its mapping is left in place")]
    public static partial void WorkerDidNotStop(ILogger logger, string queue);

    [LoggerMessage(9, LogLevel.Information, "Shutting down: telling {Count} frontend(s) Closing")]
    public static partial void ShuttingDown(ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Error, "Accepting a control connection failed")]
    public static partial void AcceptFailed(ILogger logger, Exception error);

    [LoggerMessage(12, LogLevel.Warning, "{Vif}: guest Rx stalled (queue {Queue}: no RX buffers posted for {Seconds} s while frames waited); carrier off")]
    public static partial void RxStalled(ILogger logger, string vif, int queue, double seconds);

    [LoggerMessage(13, LogLevel.Information, "{Vif}: guest Rx ready (queue {Queue} has buffers again); carrier on")]
    public static partial void RxReady(ILogger logger, string vif, int queue);

    [LoggerMessage(11, LogLevel.Error, "Frontend session pid {Pid} failed unexpectedly")]
    public static partial void SessionFailed(ILogger logger, Exception error, int pid);

    [LoggerMessage(20, LogLevel.Information, "Admin socket listening on {SocketPath}")]
    public static partial void AdminListening(ILogger logger, string socketPath);

    [LoggerMessage(21, LogLevel.Warning, "Admin connection from pid {Pid} uid {Uid} refused: only root may administer vifs")]
    public static partial void AdminRefused(ILogger logger, int pid, uint uid);

    [LoggerMessage(22, LogLevel.Information, "Vif {Vif}: rate set to {Rate} by pid {Pid}")]
    public static partial void RateChanged(ILogger logger, string vif, string rate, int pid);

    [LoggerMessage(23, LogLevel.Warning, "Admin connection from pid {Pid} failed: {Reason}")]
    public static partial void AdminFailed(ILogger logger, int pid, string reason);
}
