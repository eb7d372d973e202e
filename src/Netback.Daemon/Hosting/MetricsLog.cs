using Microsoft.Extensions.Logging;

namespace Netback.Daemon.Hosting;

/// <summary>The metrics endpoint's log events (ids 60..61).</summary>
internal static partial class MetricsLog
{
    [LoggerMessage(60, LogLevel.Information, "Prometheus metrics on {Url} ({Reach})")]
    public static partial void PrometheusListening(ILogger logger, string url, string reach);
}
