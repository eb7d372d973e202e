using Microsoft.Extensions.Logging;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Xenbus;

/// <summary>
/// Control-plane log events (xenbus.c's messages), with stable event ids. Every one of them a
/// frontend can cause is rate-limited daemon-wide: Warnings with <see cref="FrontendWarnings"/>, the
/// routine Information lines with <see cref="FrontendNotices"/>. Text a frontend chose is escaped
/// before it gets here (reasons) and again where lines are written (Diagnostics/OneLineFormatter).
/// </summary>
internal static partial class XenbusLog
{
    public static void FrontendAccepted(ILogger logger, int pid, uint uid, uint gid)
    {
        if (FrontendNotices.Limiter(logger).TryAcquire(out long suppressed))
        {
            FrontendAcceptedCore(logger, pid, uid, gid, Suppressed(suppressed));
        }
    }

    [LoggerMessage(2, LogLevel.Information, "Control connection from pid {Pid} uid {Uid} gid {Gid}{Suppressed}")]
    private static partial void FrontendAcceptedCore(ILogger logger, int pid, uint uid, uint gid, string suppressed);

    /// <summary>A vif serves: every mode negotiated (what <c>netbackctl show</c> prints under <c>summary/</c>).</summary>
    public static void VifConnected(ILogger logger, string vif, int domId, int handle, int queues, int order, uint txSlots, uint rxSlots,
        string layout, string channels, string threads, string txCopy, string txOffloads, string rxOffloads, string mac, int mtu,
        string placement, bool eventSuppression)
    {
        if (FrontendNotices.Limiter(logger).TryAcquire(out long suppressed))
        {
            VifConnectedCore(logger, vif, domId, handle, queues, order, txSlots, rxSlots, layout, channels, threads, txCopy,
                txOffloads, rxOffloads, mac, mtu, placement, eventSuppression ? "on" : "off", Suppressed(suppressed));
        }
    }

    [LoggerMessage(3, LogLevel.Information, "{Vif} connected: domid {DomId} handle {Handle}, {Queues} queue(s), ring-page-order {Order} ({TxSlots} TX / {RxSlots} RX slots), layout {Layout}, {Channels} event channels, threads {Threads}, tx-copy {TxCopy}, offloads tx {TxOffloads} / rx {RxOffloads}, mac {Mac}, mtu {Mtu}, placement {Placement}, event suppression {EventSuppression}{Suppressed}")]
    private static partial void VifConnectedCore(ILogger logger, string vif, int domId, int handle, int queues, int order, uint txSlots, uint rxSlots,
        string layout, string channels, string threads, string txCopy, string txOffloads, string rxOffloads, string mac, int mtu,
        string placement, string eventSuppression, string suppressed);

    public static void VifDisconnected(ILogger logger, string vif, string reason)
    {
        if (FrontendNotices.Limiter(logger).TryAcquire(out long suppressed))
        {
            VifDisconnectedCore(logger, vif, reason, Suppressed(suppressed));
        }
    }

    [LoggerMessage(4, LogLevel.Information, "{Vif} disconnected ({Reason}); TAP removed{Suppressed}")]
    private static partial void VifDisconnectedCore(ILogger logger, string vif, string reason, string suppressed);

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

    /// <summary>A frontend whose queue was full when the backend had to tell it something: its session ends.</summary>
    public static void FrontendNotReading(ILogger logger, int pid, uint uid, string what)
    {
        if (FrontendWarnings.Limiter(logger).TryAcquire(out long suppressed))
        {
            FrontendNotReadingCore(logger, pid, uid, what, suppressed);
        }
    }

    [LoggerMessage(30, LogLevel.Warning, "Frontend pid {Pid} uid {Uid} does not read its control socket (its queue is full): {What} not sent, its session ends ({Suppressed} similar warnings suppressed before this one)")]
    private static partial void FrontendNotReadingCore(ILogger logger, int pid, uint uid, string what, long suppressed);

    /// <summary>
    /// Our own bug met in a session (an exception nobody expected): the one event with a stack trace.
    /// Rate-limited too, since a frontend may be what reaches it, in a loop.
    /// </summary>
    public static void SessionFailed(ILogger logger, Exception error, int pid)
    {
        if (FrontendWarnings.Limiter(logger).TryAcquire(out _))
        {
            SessionFailedCore(logger, error, pid);
        }
    }

    /// <summary>Teardown left a worker running: the vif keeps its mapping, name and lease (never logged for an honest teardown).</summary>
    [LoggerMessage(31, LogLevel.Error, "{Vif} disconnected ({Reason}) but kept: worker(s) {Workers} did not stop, so its mapping, name and its uid's vif slot stay taken")]
    public static partial void VifKept(ILogger logger, string vif, string reason, string workers);

    [LoggerMessage(11, LogLevel.Error, "Frontend session pid {Pid} failed unexpectedly")]
    private static partial void SessionFailedCore(ILogger logger, Exception error, int pid);

    private static string Suppressed(long count) =>
        count == 0 ? "" : $" ({count} similar lines suppressed before this one)";
}
