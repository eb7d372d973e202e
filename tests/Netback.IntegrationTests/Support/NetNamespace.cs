using System.Diagnostics;
using System.Security.Cryptography;

namespace Netback.IntegrationTests.Support;

/// <summary>
/// A network namespace named <c>&lt;prefix&gt;-&lt;6 random hex&gt;</c>, with lo up, deleted on dispose.
/// Commands run in it through <c>ip netns exec</c>, which execs in place: the pid a test holds is the
/// program's own, so signals reach it directly.
/// </summary>
internal sealed class NetNamespace : IAsyncDisposable
{
    private static readonly TimeSpan IpTimeout = TimeSpan.FromSeconds(10);
    private bool _deleted;

    private NetNamespace(string name) => Name = name;

    public string Name { get; }

    public static string IpPath { get; } = Requirements.FindOnPath("ip") ?? "ip";

    public static async Task<NetNamespace> CreateAsync(string prefix, CancellationToken ct)
    {
        string name = $"{prefix}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}";
        await IpCheckedAsync(ct, "netns", "add", name);
        var ns = new NetNamespace(name);
        try
        {
            await ns.IpAsync(ct, "link", "set", "lo", "up");
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
        return ns;
    }

    /// <summary>Arguments for <c>ip</c> that run <paramref name="program"/> inside this namespace.</summary>
    public IEnumerable<string> ExecArguments(string program, params string[] arguments) =>
        new[] { "netns", "exec", Name, program }.Concat(arguments);

    /// <summary>Starts a long-running program inside the namespace.</summary>
    public ChildProcess Start(string label, string program, params string[] arguments) =>
        ChildProcess.Start(label, IpPath, ExecArguments(program, arguments));

    /// <summary>Runs <paramref name="command"/> (program, then arguments) inside the namespace to completion.</summary>
    public Task<ProcessResult> RunAsync(TimeSpan timeout, CancellationToken ct, params string[] command) =>
        ChildProcess.RunAsync(IpPath, ExecArguments(command[0], command[1..]), timeout, ct);

    /// <summary><c>ip -n NAME …</c>, which must succeed.</summary>
    public Task<ProcessResult> IpAsync(CancellationToken ct, params string[] arguments) =>
        IpCheckedAsync(ct, ["-n", Name, .. arguments]);

    public async Task<bool> LinkExistsAsync(string device, CancellationToken ct)
    {
        ProcessResult r = await ChildProcess.RunAsync(IpPath, ["-n", Name, "link", "show", "dev", device], IpTimeout, ct);
        return r.ExitCode == 0;
    }

    /// <summary>Polls until <paramref name="device"/> exists (or is gone); false at the timeout.</summary>
    public async Task<bool> WaitForLinkAsync(string device, bool present, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await LinkExistsAsync(device, ct) == present)
            {
                return true;
            }
            if (clock.Elapsed >= timeout)
            {
                return false;
            }
            await Task.Delay(50, ct);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a thread of its own that has entered this namespace (setns), as
    /// the daemon's threads run inside theirs: for calls of Ring.Shared that act on the calling thread's netns.
    /// </summary>
    public Task<T> RunInAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle($"/run/netns/{Name}");
                if (Tmds.Linux.LibC.setns((int)ns.DangerousGetHandle(), Tmds.Linux.LibC.CLONE_NEWNET) != 0)
                {
                    throw new InvalidOperationException($"setns into {Name} failed");
                }
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = $"in {Name}" };
        thread.Start();
        return done.Task;
    }

    public async Task<bool> ExistsAsync(CancellationToken ct)
    {
        ProcessResult r = await ChildProcess.RunAsync(IpPath, ["netns", "list"], IpTimeout, ct);
        return r.Stdout.Split('\n').Any(l => l.Split(' ')[0] == Name);
    }

    /// <summary>Deletes the namespace; kill what runs inside it first. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_deleted)
        {
            return;
        }
        _deleted = true;
        try
        {
            await ChildProcess.RunAsync(IpPath, ["netns", "delete", Name], IpTimeout, CancellationToken.None);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Reported by the leftover check in Testbed.
        }
    }

    public override string ToString() => Name;

    private static async Task<ProcessResult> IpCheckedAsync(CancellationToken ct, params string[] arguments)
    {
        ProcessResult r = await ChildProcess.RunAsync(IpPath, arguments, IpTimeout, ct);
        return r.ExitCode == 0 ? r : throw new InvalidOperationException(r.ToString());
    }
}
