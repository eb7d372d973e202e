using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Netback.Daemon.Admin;
using Netback.Daemon.Configuration;
using Netback.Daemon.Hosting;
using Netback.Daemon.DataPath;
using Netback.Daemon.Diagnostics;
using Netback.Daemon.Interface;
using Serilog;

// --help and --version answer and exit 0 without starting anything (no socket, no log set-up).
if (CommandLineInfo.Answer(args, Console.Out) is { } answered)
{
    return answered;
}

// Two-stage bootstrap: a console logger until configuration is read, so even a broken config file
// is reported as one readable line, in the same one-line format as everything after.
bool underSystemd = SystemdHelpers.IsSystemdService() || Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null;
Log.Logger = new LoggerConfiguration()
    .Enrich.With(new SyslogLevelEnricher())
    .WriteTo.Console(LogOutput.Formatter(underSystemd))
    .CreateBootstrapLogger();

try
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
    {
        Args = args,
        ContentRootPath = AppContext.BaseDirectory,
        DisableDefaults = true,
    });

    // Configuration order (DESIGN §7): appsettings.json beside the binary, /etc/netback/netback.json,
    // NETBACK_ environment variables, then the command line (with short switches).
    builder.Configuration
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddJsonFile("/etc/netback/netback.json", optional: true)
        .AddEnvironmentVariables("NETBACK_")
        .AddCommandLine(args, new Dictionary<string, string>
        {
            ["--socket"] = "Netback:SocketPath",
            ["--admin-socket"] = "Netback:AdminSocketPath",
            ["--max-queues"] = "Netback:MaxQueues",
            ["--max-ring-page-order"] = "Netback:MaxRingPageOrder",
            ["--vifspec"] = "Netback:DefaultVifSpec",
        });

    builder.Services.AddSerilog((services, lc) =>
    {
        SerilogSettings.Apply(lc, builder.Configuration);
        lc.Enrich.FromLogContext()
          .Enrich.With(new SyslogLevelEnricher());
        lc.WriteTo.Console(LogOutput.Formatter(underSystemd));
    });
    builder.Services.AddNetbackSystemd();

    builder.Services.AddOptions<NetbackOptions>().Bind(builder.Configuration.GetSection(NetbackOptions.Section)).ValidateOnStart();
    builder.Services.AddSingleton<IValidateOptions<NetbackOptions>, NetbackOptionsValidator>();
    builder.Services.AddOptions<ControlPlaneOptions>().Bind(builder.Configuration.GetSection(NetbackOptions.Section)).ValidateOnStart();
    builder.Services.AddSingleton<IValidateOptions<ControlPlaneOptions>, ControlPlaneOptionsValidator>();
    builder.Services.AddOptions<MetricsOptions>().Bind(builder.Configuration.GetSection(MetricsOptions.Section)).ValidateOnStart();
    builder.Services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();
    // The backend's directory: the operator's declarations (Netback:Vifs, then the state file) and the live vifs.
    builder.Services.AddSingleton(sp => VifDirectory.Open(sp.GetRequiredService<IOptions<NetbackOptions>>().Value,
        sp.GetRequiredService<ILoggerFactory>().CreateLogger("Netback.Interface")));
    builder.Services.AddSingleton(sp =>
    {
        var registry = sp.GetRequiredService<VifRegistry>();
        return new NetbackMetrics(() => registry.ConnectedCount, registry.CounterSets);
    });
    // The data path and where the vifs' netdevs come from: TAPs, or nothing for the ring-only benchmark.
    builder.Services.AddSingleton<IVifTapProvider>(sp =>
        sp.GetRequiredService<IOptions<NetbackOptions>>().Value.NullDataPath
            ? new NullTapProvider(sp.GetRequiredService<IOptions<NetbackOptions>>().Value.NullRxFrameSize > 0)
            : new KernelTapProvider());
    builder.Services.AddSingleton<IDataPath>(sp =>
    {
        var options = sp.GetRequiredService<IOptions<NetbackOptions>>().Value;
        var kicks = KickStormPolicy.From(options);
        var threads = ThreadModel.Parse(options.Threads);
        if (!options.NullDataPath)
        {
            return new KernelDataPath(kicks, threads);
        }
        Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Netback.DataPath").Warning("Netback:NullDataPath is on: vifs get no TAP, guest TX is discarded, guest RX is {Size}-byte generated frames (benchmarks only)",
            options.NullRxFrameSize);
        return new NullDataPath(options.NullRxFrameSize, kicks, threads);
    });
    builder.Services.AddHostedService<ControlListener>();
    builder.Services.AddHostedService<AdminListener>();
    builder.Services.AddHostedService<PrometheusListener>();
    builder.Services.AddHostedService<WorkerWatchdog>();

    if (Preflight.Check() is { } problem)
    {
        Log.Fatal("netbackd cannot start: {Problem}", problem);
        return 1;
    }

    using var host = builder.Build();
    // Before anything listens: a bad option or an untrustworthy state file stops the start here (exit 78).
    _ = host.Services.GetRequiredService<VifRegistry>();
    _ = host.Services.GetRequiredService<NetbackMetrics>();
    var netback = host.Services.GetRequiredService<IOptions<NetbackOptions>>().Value;
    if (!netback.NullDataPath && !Directory.Exists(netback.ScriptDirectory))
    {
        Log.Warning("Netback:ScriptDirectory {Directory} does not exist: every vif will be refused until the hotplug scripts are installed there (scripts/hotplug; README \"Hotplug scripts\")",
            netback.ScriptDirectory);
    }
    // How calls reach frontends: never a write(2) on the eventfd they share with us, unless neither
    // io_uring nor Linux AIO is available (then a frontend can wedge a worker; see SECURITY.md).
    var dataPathLog = Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Netback.DataPath");
    if (Ring.Shared.Events.CallNotifier.Preferred == Ring.Shared.Events.NotifyMechanism.Write)
    {
        dataPathLog.Warning("Frontends are signalled with write(2) on the eventfds they share ({Why}): a hostile frontend can block a worker; allow io_uring or Linux AIO",
            Ring.Shared.Events.CallNotifier.PreferredReason);
    }
    else
    {
        dataPathLog.Information("Frontends are signalled through {Mechanism} ({Why})",
            Ring.Shared.Events.CallNotifier.Name(Ring.Shared.Events.CallNotifier.Preferred), Ring.Shared.Events.CallNotifier.PreferredReason);
    }
    await host.RunAsync().ConfigureAwait(false);
    return 0;
}
catch (OptionsValidationException e)
{
    Log.Fatal("netbackd cannot start: invalid configuration: {Errors}", string.Join("; ", e.Failures));
    return 78; // EX_CONFIG
}
catch (VifStateException e)
{
    Log.Fatal("netbackd cannot start: {Message}", e.Message);
    return 78; // EX_CONFIG: the operator's state file, like the configuration
}
catch (InvalidOperationException e)
{
    Log.Fatal("netbackd cannot start: {Message}", e.Message);
    return 1;
}
catch (Exception e)
{
    Log.Fatal(e, "netbackd terminated unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync().ConfigureAwait(false);
}
