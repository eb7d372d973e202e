using Microsoft.Extensions.Logging;

namespace Netback.Daemon.Admin;

/// <summary>What the operator changed through the admin socket (ids 24..29, beside HostingLog's 20..23).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(22, LogLevel.Information, "Vif {Vif}: rate set to {Rate} by pid {Pid} (declaration updated: {Declared})")]
    public static partial void RateChanged(ILogger logger, string vif, string rate, bool declared, int pid);

    [LoggerMessage(24, LogLevel.Information, "Declared {Vif} (domid {DomId} devid {DevId}) for {Owner}: {Spec} (by pid {Pid})")]
    public static partial void Declared(ILogger logger, string vif, int domId, int devId, string owner, string spec, int pid);

    [LoggerMessage(25, LogLevel.Information, "Removed the declaration of {Vif} (domid {DomId} devid {DevId}); disconnected: {Disconnected} (by pid {Pid})")]
    public static partial void Undeclared(ILogger logger, string vif, int domId, int devId, bool disconnected, int pid);
}
