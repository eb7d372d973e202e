using Microsoft.Extensions.Logging;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Hosting;

/// <summary>Listener and admin-socket log events, with stable event ids.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(1, LogLevel.Information, "Listening on {SocketPath} (max {MaxQueues} queues per vif, ring-page-order up to {MaxRingPageOrder}, split event channels {Split}; at most {MaxPending} handshakes pending, {MaxPendingPerUid} per uid)")]
    public static partial void Listening(ILogger logger, string socketPath, int maxQueues, int maxRingPageOrder, bool split, int maxPending, int maxPendingPerUid);

    [LoggerMessage(9, LogLevel.Information, "Shutting down: telling {Count} frontend(s) Closing")]
    public static partial void ShuttingDown(ILogger logger, int count);

    /// <summary>
    /// accept() failed (EMFILE, ENFILE, ENOBUFS…): what the kernel said, no stack trace (nothing here
    /// is our bug), rate-limited, since a crowd of connections can cause it.
    /// </summary>
    public static void AcceptFailed(ILogger logger, string socketPath, string error, TimeSpan pause)
    {
        if (FrontendWarnings.Limiter(logger).TryAcquire(out long suppressed))
        {
            AcceptFailedCore(logger, socketPath, error, (int)pause.TotalMilliseconds, suppressed);
        }
    }

    [LoggerMessage(10, LogLevel.Warning, "Accepting a connection on {SocketPath} failed: {Error}; accepting again in {PauseMs} ms ({Suppressed} similar warnings suppressed before this one)")]
    private static partial void AcceptFailedCore(ILogger logger, string socketPath, string error, int pauseMs, long suppressed);

    /// <summary>A connection refused at accept by the handshake bounds, rate-limited (the peer may retry in a loop).</summary>
    public static void HandshakeRefused(ILogger logger, int pid, uint uid, string reason)
    {
        if (FrontendWarnings.Limiter(logger).TryAcquire(out long suppressed))
        {
            HandshakeRefusedCore(logger, pid, uid, reason, suppressed);
        }
    }

    [LoggerMessage(14, LogLevel.Warning, "Refused control connection from pid {Pid} uid {Uid}: {Reason} ({Suppressed} similar warnings suppressed before this one)")]
    private static partial void HandshakeRefusedCore(ILogger logger, int pid, uint uid, string reason, long suppressed);

    [LoggerMessage(15, LogLevel.Error, "Shutdown: {Count} session(s) still busy after Netback:ShutdownTimeoutSeconds ({Seconds} s), left to the process exit: {Sessions} (their teardown did not finish within {Seconds} s)")]
    public static partial void ShutdownIncomplete(ILogger logger, int count, int seconds, string sessions);

    /// <summary>Our bug met on the xenbus loop (the one event here with a stack trace); rate-limited, as a frontend may be what reaches it.</summary>
    public static void LoopFailed(ILogger logger, Exception error)
    {
        if (FrontendWarnings.Limiter(logger).TryAcquire(out _))
        {
            LoopFailedCore(logger, error);
        }
    }

    [LoggerMessage(16, LogLevel.Critical, "The xenbus loop met an unexpected error; the connection it was serving is dropped")]
    private static partial void LoopFailedCore(ILogger logger, Exception error);

    [LoggerMessage(20, LogLevel.Information, "Admin socket listening on {SocketPath}")]
    public static partial void AdminListening(ILogger logger, string socketPath);

    [LoggerMessage(21, LogLevel.Warning, "Admin connection from pid {Pid} uid {Uid} refused: only root may administer vifs")]
    public static partial void AdminRefused(ILogger logger, int pid, uint uid);

    // 22 (rate changed), 24, 25 (declarations): Admin/AdminLog.cs.

    [LoggerMessage(23, LogLevel.Warning, "Admin connection from pid {Pid} failed: {Reason}")]
    public static partial void AdminFailed(ILogger logger, int pid, string reason);

    [LoggerMessage(30, LogLevel.Information, "The {Role} socket {SocketPath} is inherited from the service manager (fd {Fd}): it outlives this process, and whoever connects during a restart waits in its backlog for the next daemon")]
    public static partial void SocketInherited(ILogger logger, string role, string socketPath, int fd);

    [LoggerMessage(31, LogLevel.Warning, "The inherited {Role} socket is bound to {Bound}, not to the configured {Configured}: serving {Bound}")]
    public static partial void InheritedPathDiffers(ILogger logger, string role, string bound, string configured);

    [LoggerMessage(43, LogLevel.Information, "Netback:Placement is {Policy}, but this machine has {Nodes} NUMA node(s): vifs are not pinned ({Why})")]
    public static partial void PlacementUnmet(ILogger logger, string policy, int nodes, string why);
}
