using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Ring.Shared.Interop;

namespace Netback.Daemon.Interface;

/// <summary>
/// Runs one hotplug script as libxl runs Xen's (<c>&lt;script&gt; online|offline</c>, the vif's
/// settings in the environment), on the calling thread: a control worker, never the xenbus loop or
/// a data-path worker. The script's stderr is logged line by line while it runs; at the timeout its
/// process group is killed and the run fails, as does a non-zero exit, whose group is killed too, so
/// a failed run leaves no process behind. The child is reaped before this returns.
/// </summary>
internal static class HotplugRunner
{
    /// <summary>How long a killed script may take to die before it is reported and left.</summary>
    private const int ReapTimeoutMs = 2000;

    public static HotplugResult Run(HotplugScript script, string command, IReadOnlyList<string> environment, string vif, ILogger logger)
    {
        if (Refusal(script) is { } refusal)
        {
            return HotplugResult.Failed(refusal);
        }
        var clock = Stopwatch.StartNew();
        ChildProcess child;
        try
        {
            child = ChildProcess.Start(script.Path, [script.Path, command], environment);
        }
        catch (Win32Exception e)
        {
            return HotplugResult.Failed($"cannot run {script.Path}: {e.Message}");
        }
        using (child)
        {
            var output = new HotplugOutput(logger, vif, script.Name, command);
            bool exited = WaitForExit(child, output, script.Timeout);
            output.Complete();
            var exit = exited ? child.PeekExit() : ChildExit.Unknown;
            if (!exited || !exit.Succeeded)
            {
                child.KillGroup(); // whatever a failed or hung run started goes with it
            }
            if (!child.Reap(ReapTimeoutMs))
            {
                HotplugLog.NotReaped(logger, vif, script.Name, child.Pid);
            }
            if (!exited)
            {
                return HotplugResult.Failed(string.Create(CultureInfo.InvariantCulture,
                    $"timed out after {script.Timeout.TotalSeconds:0.#} s, its process group killed{(output.LastLine is { } l ? $" (last line: {l})" : "")}"));
            }
            if (!exit.Succeeded)
            {
                return HotplugResult.Failed(output.LastLine is { } line ? $"{exit}: {line}" : $"{exit}, nothing on stderr");
            }
            HotplugLog.Done(logger, vif, script.Name, command, clock.ElapsedMilliseconds);
            return HotplugResult.Ok;
        }
    }

    /// <summary>Reads the script's stderr until it exits (true) or the timeout (false).</summary>
    private static bool WaitForExit(ChildProcess child, HotplugOutput output, TimeSpan timeout)
    {
        Span<byte> buffer = stackalloc byte[4096];
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                return false;
            }
            switch (child.Wait(buffer, (int)left, out int n))
            {
                case ChildEvent.Output:
                    output.Add(buffer[..n]);
                    break;
                case ChildEvent.Exited:
                    // What it wrote before it exited is in the pipe; something it left running may
                    // hold the pipe open, so only what is there now.
                    while (child.Wait(buffer, 0, out n) == ChildEvent.Output)
                    {
                        output.Add(buffer[..n]);
                    }
                    return true;
            }
        }
    }

    /// <summary>
    /// Why <paramref name="script"/> must not run, or null: it must be a regular file in the script
    /// directory itself (not a symbolic link to elsewhere), executable, and neither it nor the
    /// directory writable by group or others, whose write would be a way to run code as the daemon.
    /// </summary>
    public static string? Refusal(HotplugScript script)
    {
        string? dir = Path.GetDirectoryName(script.Path);
        var directory = new DirectoryInfo(dir ?? "/");
        if (!directory.Exists)
        {
            return $"the script directory {directory.FullName} does not exist (Netback:ScriptDirectory; install scripts/hotplug/* there)";
        }
        if (Writable(directory.UnixFileMode) is { } dirMode)
        {
            return $"the script directory {directory.FullName} is writable by group or others (mode {dirMode}): nothing in it runs";
        }
        var file = new FileInfo(script.Path);
        if (file.LinkTarget is not null)
        {
            return $"{script.Path} is a symbolic link: a script must be a file in {directory.FullName} itself";
        }
        if (!file.Exists)
        {
            return $"{script.Path} does not exist";
        }
        if (Writable(file.UnixFileMode) is { } fileMode)
        {
            return $"{script.Path} is writable by group or others (mode {fileMode}): it does not run";
        }
        return (file.UnixFileMode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0
            ? $"{script.Path} is not executable"
            : null;
    }

    private static string? Writable(UnixFileMode mode) =>
        (mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0 ? Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0') : null;
}
