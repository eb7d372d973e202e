using Microsoft.Extensions.Configuration;
using Netback.Daemon.Hosting;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Netback.Tests.Daemon.Hosting;

/// <summary>
/// The <c>Serilog</c> section's minimum levels are applied in code (Serilog.Settings.Configuration
/// stays unloaded at start) with the same result as the library; anything else still goes to it.
/// </summary>
public sealed class SerilogSettingsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    /// <summary>The shipped appsettings.json's section.</summary>
    private static IConfiguration Shipped() => Config(
        ("Serilog:MinimumLevel:Default", "Information"),
        ("Serilog:MinimumLevel:Override:Microsoft", "Warning"),
        ("Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime", "Information"),
        ("Serilog:MinimumLevel:Override:Microsoft.Extensions.Hosting.Internal.Host", "Fatal"));

    private static Logger InCode(IConfiguration config)
    {
        var lc = new LoggerConfiguration();
        SerilogSettings.Apply(lc, config);
        return lc.CreateLogger();
    }

    private static Logger ByLibrary(IConfiguration config) =>
        new LoggerConfiguration().ReadFrom.Configuration(config, SerilogSettings.Reader).CreateLogger();

    private static readonly string[] Sources = ["Netback.Xenbus", "Microsoft", "Microsoft.Extensions.Hosting.Internal.Host", "Microsoft.Hosting.Lifetime", "Microsoft.Extensions.Options", "MicrosoftX"];

    /// <summary>Which levels each source logs at: the whole matrix.</summary>
    private static string Matrix(Logger logger) => string.Join(";", Sources.Select(source =>
        source + "=" + string.Join(",", Enum.GetValues<LogEventLevel>().Where(l => logger.ForContext(Constants.SourceContextPropertyName, source).IsEnabled(l)))));

    [Fact]
    public void The_shipped_levels_are_applied_in_code_as_the_library_applies_them()
    {
        var config = Shipped();

        Assert.True(SerilogSettings.MinimumLevelsOnly(config.GetSection(SerilogSettings.Section), apply: null));
        using var inCode = InCode(config);
        using var byLibrary = ByLibrary(config);
        Assert.Equal(Matrix(byLibrary), Matrix(inCode));
        Assert.False(inCode.ForContext(Constants.SourceContextPropertyName, "Microsoft.Extensions.Options").IsEnabled(LogEventLevel.Information));
        Assert.True(inCode.ForContext(Constants.SourceContextPropertyName, "Microsoft.Hosting.Lifetime").IsEnabled(LogEventLevel.Information));
        Assert.False(inCode.ForContext(Constants.SourceContextPropertyName, "Microsoft.Extensions.Hosting.Internal.Host").IsEnabled(LogEventLevel.Error));
    }

    [Theory]
    [InlineData("Warning")]
    [InlineData("debug")]
    [InlineData("Verbose")]
    public void A_level_alone_or_as_Default_in_any_case_is_the_minimum(string level)
    {
        foreach (var config in new[] { Config(("Serilog:MinimumLevel", level)), Config(("Serilog:MinimumLevel:Default", level)) })
        {
            using var inCode = InCode(config);
            using var byLibrary = ByLibrary(config);
            Assert.Equal(Matrix(byLibrary), Matrix(inCode));
        }
        using var warning = InCode(Config(("Serilog:MinimumLevel", "Warning")));
        Assert.False(warning.IsEnabled(LogEventLevel.Information));
        Assert.True(warning.IsEnabled(LogEventLevel.Warning));
    }

    [Fact]
    public void No_section_leaves_Serilogs_default_Information()
    {
        using var logger = InCode(Config(("Netback:MaxQueues", "2")));

        Assert.True(logger.IsEnabled(LogEventLevel.Information));
        Assert.False(logger.IsEnabled(LogEventLevel.Debug));
    }

    [Fact]
    public void Anything_but_minimum_levels_is_left_to_the_library()
    {
        Assert.False(SerilogSettings.MinimumLevelsOnly(Config(("Serilog:WriteTo:0:Name", "Console")).GetSection(SerilogSettings.Section), apply: null));
        Assert.False(SerilogSettings.MinimumLevelsOnly(Config(("Serilog:MinimumLevel:ControlledBy", "$switch")).GetSection(SerilogSettings.Section), apply: null));
        Assert.False(SerilogSettings.MinimumLevelsOnly(Config(("Serilog:MinimumLevel:Default", "3")).GetSection(SerilogSettings.Section), apply: null));
        // Properties: the library's, applied through it.
        var config = Config(("Serilog:MinimumLevel", "Warning"), ("Serilog:Properties:Site", "here"));
        using var logger = InCode(config);
        Assert.False(logger.IsEnabled(LogEventLevel.Information));
    }

    [Fact]
    public void A_bad_level_is_reported_by_the_library_naming_the_value()
    {
        var config = Config(("Serilog:MinimumLevel:Override:Microsoft", "Loud"));

        Assert.False(SerilogSettings.MinimumLevelsOnly(config.GetSection(SerilogSettings.Section), apply: null));
        var e = Assert.ThrowsAny<Exception>(() => InCode(config));
        Assert.Contains("Loud", e.Message, StringComparison.Ordinal);
    }
}
