using Microsoft.Extensions.Logging;

namespace Netback.Daemon.Hosting;

/// <summary>Listener and admin-socket log events, with stable event ids.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(1, LogLevel.Information, "Listening on {SocketPath} (max {MaxQueues} queues per vif, ring-page-order up to {MaxRingPageOrder}, split event channels {Split})")]
    public static partial void Listening(ILogger logger, string socketPath, int maxQueues, int maxRingPageOrder, bool split);

    [LoggerMessage(9, LogLevel.Information, "Shutting down: telling {Count} frontend(s) Closing")]
    public static partial void ShuttingDown(ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Error, "Accepting a control connection failed")]
    public static partial void AcceptFailed(ILogger logger, Exception error);

    [LoggerMessage(20, LogLevel.Information, "Admin socket listening on {SocketPath}")]
    public static partial void AdminListening(ILogger logger, string socketPath);

    [LoggerMessage(21, LogLevel.Warning, "Admin connection from pid {Pid} uid {Uid} refused: only root may administer vifs")]
    public static partial void AdminRefused(ILogger logger, int pid, uint uid);

    // 22 (rate changed), 24, 25 (declarations): Admin/AdminLog.cs.

    [LoggerMessage(23, LogLevel.Warning, "Admin connection from pid {Pid} failed: {Reason}")]
    public static partial void AdminFailed(ILogger logger, int pid, string reason);
}
