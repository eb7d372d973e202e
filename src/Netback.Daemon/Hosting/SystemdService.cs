using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Netback.Daemon.Hosting;

/// <summary>
/// The systemd integration: READY=1 once every hosted service has started (the control socket
/// accepts), STOPPING=1 at SIGTERM, and the watchdog's WATCHDOG=1.
/// </summary>
internal static class SystemdService
{
    /// <summary>
    /// Whether a service manager listens for sd_notify messages. <c>AddSystemd()</c> alone notifies
    /// only when the parent process is named systemd; sd_notify(3) asks only for NOTIFY_SOCKET, and so
    /// do we: a supervisor that is not PID 1 (systemd-run --user, a test, a start-time benchmark, a
    /// wrapper in ExecStart=) gets READY=1 too.
    /// </summary>
    public static bool NotifySocketSet => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    public static IServiceCollection AddNetbackSystemd(this IServiceCollection services)
    {
        services.AddSystemd();
        if (!SystemdHelpers.IsSystemdService() && NotifySocketSet)
        {
            // What AddSystemd() registers for a unit's main process (its console formatter aside: Serilog writes the log).
            services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
        return services;
    }
}
