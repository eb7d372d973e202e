using Microsoft.Extensions.Logging;
using Netback.Daemon.Diagnostics;
using Netback.Daemon.Interface;
using Netback.Tests.Support;

namespace Netback.Tests.Daemon.Interface;

/// <summary>
/// One disabled vif is one fatal error: under <c>split</c> a queue's TX and RX threads can both see
/// the same kick storm, and before this they raced past the "not yet broken" check and logged and
/// counted it twice.
/// </summary>
public sealed class VifFatalErrorTests
{
    [Fact]
    public void Threads_that_report_fatal_errors_at_once_log_and_count_one()
    {
        for (int round = 0; round < 50; round++)
        {
            var logs = new CollectingLoggerProvider();
            using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
            int broken = 0;
            var vif = new Vif(Plan(), new NoWorkers(), loggers.CreateLogger("test"), () => Interlocked.Increment(ref broken));
            long before = FatalCounters.Read(FatalReason.KickStorm);
            using var start = new Barrier(4);
            var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                vif.FatalError(0, FatalReason.KickStorm, $"reporter {i}");
            })).ToArray();
            foreach (var t in threads)
            {
                t.Start();
            }
            foreach (var t in threads)
            {
                t.Join();
            }

            Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
            Assert.Equal(1, Volatile.Read(ref broken));
            Assert.True(vif.IsBroken);
            Assert.Contains("KickStorm", vif.BreakReason, StringComparison.Ordinal);
            // Other tests may count storms of their own meanwhile; this vif adds at least one.
            Assert.True(FatalCounters.Read(FatalReason.KickStorm) > before);
        }
    }

    [Fact]
    public void A_fatal_error_after_a_break_is_not_reported()
    {
        var logs = new CollectingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var vif = new Vif(Plan(), new NoWorkers(), loggers.CreateLogger("test"), () => { });
        vif.Break("frontend closed", null);
        vif.FatalError(0, FatalReason.KickStorm, "late");
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal("frontend closed", vif.BreakReason);
    }

    private static VifPlan Plan() => SampleVifPlan.Create(2);

    private sealed class NoWorkers : IDataPath
    {
        public IVifWorkers Start(Vif vif) => throw new InvalidOperationException("never started");
    }
}
