using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Events;
#if !NETBACK_AOT
using Serilog.Settings.Configuration;
#endif

namespace Netback.Daemon.Hosting;

/// <summary>How the <c>Serilog</c> configuration section is read.</summary>
internal static class SerilogSettings
{
    public const string Section = "Serilog";

#if !NETBACK_AOT
    /// <summary>
    /// The assemblies a <c>Serilog</c> section may name sinks and enrichers from: Serilog's own and
    /// the console sink's. Without this list Serilog.Settings.Configuration reads the dependency
    /// manifest and loads every assembly it names to look for configuration methods, a sixth of the
    /// daemon's start (about 50 ms of 300 measured, before ReadyToRun).
    /// </summary>
    public static ConfigurationReaderOptions Reader => new(typeof(ILogger).Assembly, typeof(ConsoleLoggerConfigurationExtensions).Assembly);
#endif

    /// <summary>
    /// Applies the <c>Serilog</c> section. What the README documents (<c>MinimumLevel</c> as a level,
    /// or its <c>Default</c> and <c>Override</c>s) is applied here in code; a section with anything
    /// else, or a value this does not recognise, goes to Serilog.Settings.Configuration as before,
    /// which then reports what is wrong. So the library is loaded, and searches its assemblies for
    /// configuration methods by reflection, only when a section needs it (one assembly fewer at
    /// every start with the shipped configuration).
    /// </summary>
    public static void Apply(LoggerConfiguration logger, IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        if (MinimumLevelsOnly(section, apply: null))
        {
            MinimumLevelsOnly(section, logger);
            return;
        }
        ReadAll(logger, configuration);
    }

    /// <summary>
    /// True when the section holds nothing but minimum levels, all of them level names; then, if
    /// <paramref name="apply"/> is given, sets them on it: the level (none: Serilog's default,
    /// Information) and the overrides by source context prefix. (Non-generic Enum calls and no
    /// collection of LogEventLevel: a generic instantiation over Serilog's enum would be JIT-compiled
    /// at every start, ReadyToRun or not, costing more than it saves.)
    /// </summary>
    internal static bool MinimumLevelsOnly(IConfigurationSection section, LoggerConfiguration? apply)
    {
        foreach (var child in section.GetChildren())
        {
            if (!child.Key.Equals("MinimumLevel", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            if (child.Value is { } scalar)
            {
                if (!TryLevel(scalar, out var level))
                {
                    return false;
                }
                apply?.MinimumLevel.Is(level);
                continue;
            }
            foreach (var part in child.GetChildren())
            {
                if (part.Key.Equals("Default", StringComparison.OrdinalIgnoreCase))
                {
                    if (part.Value is not { } text || !TryLevel(text, out var level))
                    {
                        return false;
                    }
                    apply?.MinimumLevel.Is(level);
                }
                else if (part.Key.Equals("Override", StringComparison.OrdinalIgnoreCase))
                {
                    foreach (var one in part.GetChildren())
                    {
                        if (one.Value is not { } text || !TryLevel(text, out var level))
                        {
                            return false;
                        }
                        apply?.MinimumLevel.Override(one.Key, level);
                    }
                }
                else
                {
                    return false; // ControlledBy, level switches: the library's
                }
            }
        }
        return true;
    }

    /// <summary>A level's name (any case), as the library accepts it; anything else (numbers included) is left to the library.</summary>
    private static bool TryLevel(string text, out LogEventLevel level)
    {
        level = LogEventLevel.Information;
        if (text.Length == 0 || !char.IsLetter(text[0]) || !Enum.TryParse(typeof(LogEventLevel), text, ignoreCase: true, out object? parsed) || parsed is null)
        {
            return false;
        }
        level = (LogEventLevel)parsed;
        return true;
    }

    /// <summary>Apart, so that Serilog.Settings.Configuration is loaded only when it is called.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ReadAll(LoggerConfiguration logger, IConfiguration configuration)
    {
#if NETBACK_AOT
        // Native AOT keeps no metadata to find WriteTo/Enrich methods by name: say so at start rather
        // than run with a logging set-up the operator did not ask for.
        _ = logger;
        _ = configuration;
        throw new InvalidOperationException(
            $"the '{Section}' section has more than MinimumLevel (a level, or Default and Override), which this Native AOT build of netbackd cannot apply; use the framework-dependent build (dotnet publish without -p:NetbackAot=true) for WriteTo, Enrich or ControlledBy");
#else
        logger.ReadFrom.Configuration(configuration, Reader);
#endif
    }
}
