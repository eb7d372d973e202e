using Microsoft.Extensions.Logging;

namespace Netback.Daemon.Access;

/// <summary>The access-control log events (ids 40..49, beside Logging/Log.cs's).</summary>
internal static partial class AccessLog
{
    [LoggerMessage(40, LogLevel.Warning, "Refused control connection from pid {Pid} uid {Uid} gid {Gid}: {Reason}")]
    public static partial void Refused(ILogger logger, int pid, uint uid, uint gid, string reason);

    [LoggerMessage(41, LogLevel.Information, "Control socket {SocketPath}: mode {Mode}, group {Group}; access: {Policy}")]
    public static partial void SocketAccess(ILogger logger, string socketPath, string mode, string group, string policy);

    [LoggerMessage(42, LogLevel.Warning, "The socket group '{Group}' does not exist: the control socket keeps the daemon's group, and only root, the daemon's uid and the uids and gids named in Netback:Access may connect (create the group with `groupadd --system {Group}`, or set Netback:SocketGroup)")]
    public static partial void DefaultGroupMissing(ILogger logger, string group);
}
