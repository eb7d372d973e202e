using Microsoft.Extensions.Logging;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Xenbus;

/// <summary>Control-plane log events (xenbus.c's messages), with stable event ids.</summary>
internal static partial class XenbusLog
{
    [LoggerMessage(2, LogLevel.Information, "Control connection from pid {Pid} uid {Uid} gid {Gid}")]
    public static partial void FrontendAccepted(ILogger logger, int pid, uint uid, uint gid);

    [LoggerMessage(3, LogLevel.Information, "{Vif} connected: domid {DomId} handle {Handle}, {Queues} queue(s), ring-page-order {Order} ({TxSlots} TX / {RxSlots} RX slots), layout {Layout}, {Channels} event channels, mac {Mac}, mtu {Mtu}")]
    public static partial void VifConnected(ILogger logger, string vif, int domId, int handle, int queues, int order, uint txSlots, uint rxSlots, string layout, string channels, string mac, int mtu);

    [LoggerMessage(4, LogLevel.Information, "{Vif} disconnected ({Reason}); TAP removed")]
    public static partial void VifDisconnected(ILogger logger, string vif, string reason);

    /// <summary>A refused handshake, rate-limited daemon-wide.</summary>
    public static void FrontendRefused(ILogger logger, int pid, uint uid, string reason)
    {
        if (FrontendWarnings.Limiter(logger).TryAcquire(out long suppressed))
        {
            FrontendRefusedCore(logger, pid, uid, reason, suppressed);
        }
    }

    [LoggerMessage(5, LogLevel.Warning, "Refused frontend pid {Pid} uid {Uid}: {Reason} ({Suppressed} similar warnings suppressed before this one)")]
    private static partial void FrontendRefusedCore(ILogger logger, int pid, uint uid, string reason, long suppressed);

    [LoggerMessage(11, LogLevel.Error, "Frontend session pid {Pid} failed unexpectedly")]
    public static partial void SessionFailed(ILogger logger, Exception error, int pid);
}
