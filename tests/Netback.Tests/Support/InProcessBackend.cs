using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Netback.Daemon.Xenbus;
using Netback.Daemon.Hosting;
using Netback.Daemon.DataPath;

namespace Netback.Tests.Support;

/// <summary>
/// The real backend (ControlListener, sessions, vifs, workers) listening on a socket in a temp
/// directory, with socketpairs instead of TAPs: a frontend in the same process pairs with it.
/// Log lines are collected so tests can assert on what an operator would read.
/// </summary>
internal sealed class InProcessBackend : IAsyncDisposable
{
    private readonly string _dir;
    private readonly ControlListener _listener;
    private readonly IDataPath _dataPath;

    /// <param name="taps">The vif netdevs: socketpairs (<see cref="Taps"/>) unless given, e.g. a <see cref="NullTapProvider"/>.</param>
    /// <param name="bounds">The control plane's bounds (pending handshakes, workers, stop time).</param>
    /// <param name="alsoLogTo">A second log destination, e.g. the daemon's own journal formatting.</param>
    /// <param name="dataPath">The data path, when a test needs one that misbehaves.</param>
    public InProcessBackend(Action<NetbackOptions>? configure = null, IVifTapProvider? taps = null,
        Action<ControlPlaneOptions>? bounds = null, ILoggerProvider? alsoLogTo = null, IDataPath? dataPath = null)
    {
        _dir = Directory.CreateTempSubdirectory("netback-unit-").FullName;
        Options = new NetbackOptions
        {
            SocketPath = Path.Combine(_dir, "nb.sock"),
            MaxQueues = 4,
            DefaultVifSpec = "mtu=1500",
            HandshakeTimeoutSeconds = 2,
            // The test's own group: the default "netback" rarely exists on a build machine, and its
            // absence would be a start-up warning in every test's log.
            SocketGroup = ((uint)Tmds.Linux.LibC.getegid()).ToString(System.Globalization.CultureInfo.InvariantCulture),
            // The ring tests send numbered byte patterns, not Ethernet frames from the vif's MAC;
            // the anti-spoofing tests turn it back on.
            AntiSpoofing = false,
            AdminSocketPath = Path.Combine(_dir, "admin.sock"),
            // Runtime declarations (vif-add) stay in this backend's own directory, never /var/lib/netback.
            StateDirectory = Path.Combine(_dir, "state"),
        };
        configure?.Invoke(Options);
        var validation = new NetbackOptionsValidator().Validate(null, Options);
        if (validation.Failed)
        {
            throw new OptionsValidationException("Netback", typeof(NetbackOptions), validation.Failures);
        }
        Bounds = new ControlPlaneOptions();
        bounds?.Invoke(Bounds);
        var boundsValidation = new ControlPlaneOptionsValidator().Validate(null, Bounds);
        if (boundsValidation.Failed)
        {
            throw new OptionsValidationException("Netback", typeof(ControlPlaneOptions), boundsValidation.Failures);
        }
        Logs = new CollectingLoggerProvider();
        var loggers = LoggerFactory.Create(b =>
        {
            b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug);
            if (alsoLogTo is not null)
            {
                b.AddProvider(alsoLogTo);
            }
        });
        Registry = VifDirectory.Open(Options, loggers.CreateLogger("Netback.Interface"));
        // As Program.cs chooses: the null data path when the options say so, else the TAP path (over socketpairs here).
        var kicks = KickStormPolicy.From(Options);
        var threads = ThreadModel.Parse(Options.Threads);
        _dataPath = dataPath ?? (Options.NullDataPath ? new NullDataPath(Options.NullRxFrameSize, kicks, threads) : new KernelDataPath(kicks, threads));
        _listener = new ControlListener(Microsoft.Extensions.Options.Options.Create(Options), Microsoft.Extensions.Options.Options.Create(Bounds),
            Registry, taps ?? Taps, _dataPath, loggers.CreateLogger<ControlListener>(), loggers);
        _listener.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public NetbackOptions Options { get; }

    public ControlPlaneOptions Bounds { get; }

    public string SocketPath => Options.SocketPath;

    public VifRegistry Registry { get; }

    public SocketPairTapProvider Taps { get; } = new();

    public CollectingLoggerProvider Logs { get; }

    /// <summary>The test's end of vif <paramref name="vif"/>'s queue <paramref name="queue"/>.</summary>
    public HostTap Host(string vif, int queue = 0) => Taps.HostEnds(vif)[queue];

    /// <summary>Waits until the registry holds <paramref name="count"/> vifs (they register and release asynchronously).</summary>
    public bool WaitForVifCount(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Registry.Count == count)
            {
                return true;
            }
            Thread.Sleep(10);
        }
        return Registry.Count == count;
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.StopAsync(CancellationToken.None).ConfigureAwait(false);
        _listener.Dispose();
        (_dataPath as IDisposable)?.Dispose();
        Taps.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
