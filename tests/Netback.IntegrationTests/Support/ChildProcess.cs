using System.Diagnostics;
using System.Text;

namespace Netback.IntegrationTests.Support;

/// <summary>
/// A process under test: stdout and stderr captured line by line, waits for a line with a timeout,
/// graceful stop or kill of the whole tree. Never throws from <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _lines = []; // both streams, in arrival order
    private TaskCompletionSource _changed = NewSignal();

    private ChildProcess(string label, Process process, string command)
    {
        Label = label;
        Command = command;
        _process = process;
    }

    public string Label { get; }

    public string Command { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Stdout
    {
        get { lock (_gate) { return _stdout.ToString(); } }
    }

    public string Stderr
    {
        get { lock (_gate) { return _stderr.ToString(); } }
    }

    public static ChildProcess Start(string label, string fileName, IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true, // closed at once: nothing under test reads a terminal
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }
        string command = string.Join(' ', psi.ArgumentList.Prepend(fileName));
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(label, process, command);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, child._stdout);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, child._stderr);
        process.Exited += (_, _) => child.Signal();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Starts, waits for the exit (killing the tree at the timeout) and returns the result.</summary>
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken ct)
    {
        await using ChildProcess child = Start(Path.GetFileName(fileName), fileName, arguments);
        if (!await child.WaitForExitAsync(timeout, ct))
        {
            throw new TimeoutException($"`{child.Command}` did not finish within {timeout.TotalSeconds:0.#} s\n{child.Describe()}");
        }
        return child.Result();
    }

    /// <summary>The first line (stdout or stderr) matching <paramref name="match"/>; fails at the timeout or when the process exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        int scanned = 0;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (; scanned < _lines.Count; scanned++)
                {
                    if (match(_lines[scanned]))
                    {
                        return _lines[scanned];
                    }
                }
                changed = _changed.Task;
            }
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(ct); // drain the pipes, then scan once more
                lock (_gate)
                {
                    for (; scanned < _lines.Count; scanned++)
                    {
                        if (match(_lines[scanned]))
                        {
                            return _lines[scanned];
                        }
                    }
                }
                throw new InvalidOperationException($"{Label} exited before printing the expected line\n{Describe()}");
            }
            TimeSpan left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{Label} printed no expected line within {timeout.TotalSeconds:0.#} s\n{Describe()}");
            }
            // The exit event and every line complete the signal; the delay only bounds the wait.
            await Task.WhenAny(changed, Task.Delay(left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250), ct));
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>True when the process exited (and its output was drained) within the timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public void SendSignal(int signal) => Signals.Send(_process.Id, signal);

    /// <summary>SIGTERM, then SIGKILL to the whole tree if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }
        try
        {
            SendSignal(Signals.SIGTERM);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited meanwhile.
        }
        if (!await WaitForExitAsync(grace, CancellationToken.None))
        {
            Kill();
            await WaitForExitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public ProcessResult Result() => new(Command, _process.ExitCode, Stdout, Stderr);

    /// <summary>Everything known about the process, for failure messages and the test output.</summary>
    public string Describe()
    {
        string state = _process.HasExited ? $"exited {_process.ExitCode}" : "running";
        return $"--- {Label} (pid {_process.Id}, {state}): {Command}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        _process.Dispose();
    }

    private void OnLine(string? line, StringBuilder stream)
    {
        if (line is null)
        {
            Signal();
            return;
        }
        lock (_gate)
        {
            stream.Append(line).Append('\n');
            _lines.Add(line);
        }
        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            done = _changed;
            _changed = NewSignal();
        }
        done.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
