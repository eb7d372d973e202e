namespace Netback.IntegrationTests.Support;

/// <summary>
/// One test's world: a host namespace (where netbackd runs and the vifs appear), guest namespaces
/// (where netfront attaches), a temp dir for the control socket and a random 10.x.y.0/24 per guest.
/// Disposal stops every process, deletes the namespaces and the temp dir, checks nothing is left,
/// and puts every process's output into the test output when the test did not pass.
/// </summary>
internal sealed class Testbed : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(20);

    private readonly ITestOutputHelper _output;
    private readonly List<ChildProcess> _processes = [];
    private readonly List<NetNamespace> _namespaces = [];
    private readonly List<Func<ValueTask>> _cleanups = [];
    private readonly int _netA = Random.Shared.Next(20, 220);
    private readonly int _netB = Random.Shared.Next(0, 240);

    private Testbed(ITestOutputHelper output)
    {
        _output = output;
        TempDir = Directory.CreateTempSubdirectory("netback-it-").FullName;
    }

    public string TempDir { get; }

    public string SocketPath => Path.Combine(TempDir, "nb.sock");

    /// <summary>The daemon's admin socket (never the default /run/netback/admin.sock: tests run beside other daemons).</summary>
    public string AdminSocketPath => Path.Combine(TempDir, "admin.sock");

    public NetNamespace Host { get; private set; } = null!;

    public List<NetNamespace> Guests { get; } = [];

    public ChildProcess? Daemon { get; private set; }

    /// <summary>Skips (with the reason) when the machine lacks root, TUN or a tool; otherwise builds the namespaces.</summary>
    public static async Task<Testbed> CreateAsync(ITestOutputHelper output, CancellationToken ct, int guests = 1, bool iperf3 = false)
    {
        Requirements.RootAndTools(iperf3);
        var bed = new Testbed(output);
        try
        {
            bed.Host = await bed.AddNamespaceAsync("nbh", ct);
            for (int i = 0; i < guests; i++)
            {
                bed.Guests.Add(await bed.AddNamespaceAsync("nbg", ct));
            }
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
        return bed;
    }

    /// <summary>The /24 for guest <paramref name="index"/>, as "10.a.b" (host .1, guest .2).</summary>
    public string Subnet(int index) => $"10.{_netA}.{_netB + index}";

    public ChildProcess Track(ChildProcess process)
    {
        _processes.Add(process);
        return process;
    }

    /// <summary>Runs <paramref name="cleanup"/> at disposal once every process is stopped (e.g. removing a user they ran as).</summary>
    public void Defer(Func<ValueTask> cleanup) => _cleanups.Add(cleanup);

    /// <summary>
    /// The daemon's state directory (runtime declarations): this testbed's own, never /var/lib/netback,
    /// which tests running beside each other would share; kept across a daemon restart within the test.
    /// </summary>
    public string StateDirectory => Path.Combine(TempDir, "state");

    /// <summary>
    /// The daemon's hotplug script directory (Netback:ScriptDirectory): a copy of the repository's
    /// scripts/hotplug, root's alone as /etc/netback/scripts would be, so a checkout's modes do not
    /// matter; a test adds its own scripts with <see cref="WriteScript"/>.
    /// </summary>
    public string ScriptDirectory
    {
        get
        {
            string dir = Path.Combine(TempDir, "scripts");
            if (!Directory.Exists(dir))
            {
                Directory.CreateDirectory(dir, (UnixFileMode)0b111_101_101);
                foreach (string file in Directory.GetFiles(Binaries.HotplugScripts))
                {
                    string copy = Path.Combine(dir, Path.GetFileName(file));
                    File.Copy(file, copy);
                    File.SetUnixFileMode(copy, (UnixFileMode)0b111_101_101);
                }
            }
            return dir;
        }
    }

    /// <summary>Writes <c>#!/bin/sh</c> and <paramref name="body"/> as script <paramref name="name"/> (0755) in <see cref="ScriptDirectory"/>.</summary>
    public string WriteScript(string name, string body)
    {
        string path = Path.Combine(ScriptDirectory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    /// <summary>netbackd in the host namespace on this testbed's socket; returns once it logs "Listening on".</summary>
    public Task<ChildProcess> StartDaemonAsync(CancellationToken ct, params string[] extra) =>
        StartDaemonAsync(Binaries.Netbackd, ct, extra);

    /// <summary>As <see cref="StartDaemonAsync(CancellationToken, string[])"/> with another netbackd binary (a Native AOT publish).</summary>
    public async Task<ChildProcess> StartDaemonAsync(string netbackd, CancellationToken ct, params string[] extra)
    {
        ChildProcess daemon = Track(Host.Start("netbackd", netbackd,
            ["--socket", SocketPath, "--admin-socket", AdminSocketPath, "--Netback:StateDirectory", StateDirectory,
                "--Netback:ScriptDirectory", ScriptDirectory, .. extra]));
        Daemon = daemon;
        await daemon.WaitForLineAsync(l => l.Contains("Listening on ", StringComparison.Ordinal), StartTimeout, ct);
        Assert.True(File.Exists(SocketPath), $"netbackd logged Listening but {SocketPath} does not exist\n{daemon.Describe()}");
        return daemon;
    }

    /// <summary><c>netfront attach</c> in <paramref name="guest"/>; returns once it prints <c>attached &lt;vif&gt; …</c>.</summary>
    public async Task<Frontend> AttachAsync(NetNamespace guest, string address, CancellationToken ct, params string[] extra)
    {
        ChildProcess netfront = Track(guest.Start(
            $"netfront ({guest.Name})", Binaries.Netfront,
            ["attach", "--socket", SocketPath, "--name", "eth0", "--address", address, .. extra]));
        string line = await netfront.WaitForLineAsync(l => l.StartsWith("attached ", StringComparison.Ordinal), StartTimeout, ct);
        string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(words.Length >= 2, $"no vif name in netfront's line '{line}'");
        return new Frontend(netfront, words[1], line);
    }

    /// <summary>Waits for the vif in the host namespace and gives it <paramref name="address"/> (the daemon has brought it up).</summary>
    public async Task AddHostAddressAsync(string vif, string address, CancellationToken ct)
    {
        Assert.True(await Host.WaitForLinkAsync(vif, present: true, StartTimeout, ct), $"{vif} did not appear in {Host}");
        await Host.IpAsync(ct, "addr", "add", address, "dev", vif);
    }

    public async Task PingAsync(NetNamespace from, string target, CancellationToken ct)
    {
        ProcessResult r = await from.RunAsync(ToolTimeout, ct, "ping", "-c", "3", "-i", "0.2", "-W", "2", target);
        Assert.True(r.ExitCode == 0, $"ping {target} from {from} failed\n{r}");
        _output.WriteLine($"ping {target} from {from}: {r.Stdout.Split('\n').LastOrDefault(l => l.Contains("rtt", StringComparison.Ordinal))}");
    }

    public async ValueTask DisposeAsync()
    {
        var problems = new List<string>();
        for (int i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].StopAsync(TimeSpan.FromSeconds(3));
        }
        if (TestContext.Current.TestState?.Result is not TestResult.Passed)
        {
            foreach (ChildProcess p in _processes)
            {
                _output.WriteLine(p.Describe());
            }
        }
        foreach (ChildProcess p in _processes)
        {
            if (!p.HasExited)
            {
                problems.Add($"{p.Label} (pid {p.Pid}) survived SIGKILL");
            }
            await p.DisposeAsync();
        }
        for (int i = _cleanups.Count - 1; i >= 0; i--)
        {
            try
            {
                await _cleanups[i]();
            }
            catch (Exception e)
            {
                problems.Add($"cleanup: {e.Message}");
            }
        }
        foreach (NetNamespace ns in _namespaces)
        {
            await ns.DisposeAsync();
            if (await ns.ExistsAsync(CancellationToken.None))
            {
                problems.Add($"network namespace {ns} is left behind");
            }
        }
        try
        {
            Directory.Delete(TempDir, recursive: true);
        }
        catch (IOException e)
        {
            problems.Add($"temp dir {TempDir}: {e.Message}");
        }
        Assert.True(problems.Count == 0, "teardown: " + string.Join("; ", problems));
    }

    private async Task<NetNamespace> AddNamespaceAsync(string prefix, CancellationToken ct)
    {
        NetNamespace ns = await NetNamespace.CreateAsync(prefix, ct);
        _namespaces.Add(ns);
        return ns;
    }
}
