using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Netback.Daemon.DataPath;
using Netback.Tests.Support;
using Netback.Daemon.Diagnostics;

namespace Netback.Tests.Fuzz;

/// <summary>
/// What the fuzz did and what the backend said about it. Log entries are drained as the run goes so
/// a 10-minute run does not hold millions of lines (and so memory can be compared with the baseline).
/// </summary>
internal sealed class FuzzTally
{
    // Event ids of Netback.Daemon/Logging/Log.cs that mean a bug of ours, never a frontend's fault.
    private static readonly int[] CrashEvents = [7 /* WorkerCrashed */, 8 /* WorkerDidNotStop */, 10 /* AcceptFailed */, 11 /* SessionFailed */];
    private const int FrontendRefusedEvent = 5;
    private const int FrontendFatalEvent = 6;

    private readonly ConcurrentDictionary<string, long> _cases = new();
    private readonly ConcurrentDictionary<string, long> _fatal = new();
    private readonly ConcurrentQueue<string> _crashes = new();
    private readonly ConcurrentQueue<string> _harnessErrors = new();
    private long _refused;
    private long _sessions;

    public long TotalCases => _cases.Values.Sum();

    public int Crashes => _crashes.Count;

    public int HarnessErrors => _harnessErrors.Count;

    public long Sessions => Interlocked.Read(ref _sessions);

    public void Case(string kind) => _cases.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    public void Session() => Interlocked.Increment(ref _sessions);

    /// <summary>An exception the harness did not expect: a bug in the test, or the backend misbehaving.</summary>
    public void HarnessError(string where, Exception e) => _harnessErrors.Enqueue($"{where}: {e}");

    /// <summary>Moves the backend's log lines into counts.</summary>
    public void Absorb(CollectingLoggerProvider logs)
    {
        while (logs.Entries.TryDequeue(out var e))
        {
            if (Array.IndexOf(CrashEvents, e.Id.Id) >= 0 || e.Level >= LogLevel.Error)
            {
                _crashes.Enqueue($"{e.Level} {e.Id.Id}: {e.Message}");
            }
            else if (e.Id.Id == FrontendFatalEvent)
            {
                _fatal.AddOrUpdate(FatalReasonOf(e.Message), 1, static (_, n) => n + 1);
            }
            else if (e.Id.Id == FrontendRefusedEvent)
            {
                Interlocked.Increment(ref _refused);
            }
        }
    }

    private static string FatalReasonOf(string message)
    {
        foreach (string name in Enum.GetNames<FatalReason>())
        {
            if (message.Contains($": {name} (", StringComparison.Ordinal))
            {
                return name;
            }
        }
        return "other";
    }

    public string Summary(TimeSpan duration, int seed)
    {
        var sb = new StringBuilder();
        sb.Append($"fuzz: seed {seed}, {duration.TotalSeconds:0.0} s, {TotalCases} cases (");
        sb.AppendJoin(", ", _cases.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
        sb.Append($"), {Sessions} hostile sessions, {Interlocked.Read(ref _refused)} handshakes refused, crashes {Crashes}, fatal disables: ");
        sb.AppendJoin(", ", _fatal.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
        sb.Append($"; harness errors {HarnessErrors}");
        return sb.ToString();
    }

    public string Details() =>
        string.Join('\n', _crashes.Take(20).Concat(_harnessErrors.Take(20)));
}
