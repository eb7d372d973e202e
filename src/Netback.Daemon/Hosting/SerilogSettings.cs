using Serilog;
using Serilog.Settings.Configuration;

namespace Netback.Daemon.Hosting;

/// <summary>How the <c>Serilog</c> configuration section is read.</summary>
internal static class SerilogSettings
{
    /// <summary>
    /// The assemblies a <c>Serilog</c> section may name sinks and enrichers from: Serilog's own and
    /// the console sink's. Without this list Serilog.Settings.Configuration reads the dependency
    /// manifest and loads every assembly it names to look for configuration methods, a sixth of the
    /// daemon's start (about 50 ms of 300 measured, before ReadyToRun).
    /// </summary>
    public static ConfigurationReaderOptions Reader => new(typeof(ILogger).Assembly, typeof(ConsoleLoggerConfigurationExtensions).Assembly);
}
