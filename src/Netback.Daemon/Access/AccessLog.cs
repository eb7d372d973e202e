using Microsoft.Extensions.Logging;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Access;

/// <summary>The access-control log events (ids 40..49, beside Logging/Log.cs's).</summary>
internal static partial class AccessLog
{
    /// <summary>A refused peer, rate-limited with the other frontend-provoked warnings (a peer may retry in a loop).</summary>
    public static void Refused(ILogger logger, int pid, uint uid, uint gid, string reason)
    {
        if (FrontendWarnings.Limiter(logger).TryAcquire(out long suppressed))
        {
            RefusedCore(logger, pid, uid, gid, reason, suppressed);
        }
    }

    [LoggerMessage(40, LogLevel.Warning, "Refused control connection from pid {Pid} uid {Uid} gid {Gid}: {Reason} ({Suppressed} similar warnings suppressed before this one)")]
    private static partial void RefusedCore(ILogger logger, int pid, uint uid, uint gid, string reason, long suppressed);

    [LoggerMessage(41, LogLevel.Information, "Control socket {SocketPath}: mode {Mode}, group {Group}; access: {Policy}")]
    public static partial void SocketAccess(ILogger logger, string socketPath, string mode, string group, string policy);

    [LoggerMessage(42, LogLevel.Information, "No group '{Group}', so only root and Netback:Access may connect frontends; to let a group's members connect: groupadd --system {Group}")]
    public static partial void DefaultGroupMissing(ILogger logger, string group);
}
