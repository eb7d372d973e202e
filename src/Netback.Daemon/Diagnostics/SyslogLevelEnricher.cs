using Serilog.Core;
using Serilog.Events;

namespace Netback.Daemon.Diagnostics;

/// <summary>
/// Adds <c>SyslogLevel</c> so the console template can start each line with <c>&lt;N&gt;</c>: under
/// systemd (SyslogLevelPrefix=yes, the default) journald then files each line at its priority.
/// </summary>
internal sealed class SyslogLevelEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        int level = logEvent.Level switch
        {
            LogEventLevel.Fatal => 2,       // crit
            LogEventLevel.Error => 3,       // err
            LogEventLevel.Warning => 4,     // warning
            LogEventLevel.Information => 6, // info
            _ => 7,                         // debug
        };
        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty("SyslogLevel", level));
    }
}
