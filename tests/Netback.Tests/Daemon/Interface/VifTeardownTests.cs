using Microsoft.Extensions.Logging;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;
using Netback.Daemon.Interface;
using Netback.Tests.Support;
using Ring.Shared.Memory;

namespace Netback.Tests.Daemon.Interface;

/// <summary>
/// Teardown tells the truth: a vif whose worker does not stop is not reported gone. It logs the
/// stuck worker once by its queue name, counts it, keeps its mapping and TAP (a stuck thread may still
/// use them), and says false, so its session keeps the registry entry and the uid's lease; once the
/// worker stops, the next attempt releases everything and says true. (With the data path's
/// notifications no frontend can get a worker stuck: HostileNotificationTests; this fakes one.)
/// </summary>
public sealed class VifTeardownTests
{
    [Fact]
    public void A_worker_that_does_not_stop_keeps_the_vif_and_is_reported_once()
    {
        var logs = new CollectingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var workers = new StuckWorkers("vif9.0-q0");
        var vif = new Vif(Plan(), new FakeDataPath(workers), loggers.CreateLogger("test"), () => { });
        var grants = GrantArea.Create(4, "teardown-truth");
        var (tapEnd, host) = TapSocketPair.Create();
        using var hostEnd = host;
        var tap = Ring.Shared.Tap.TapDevice.Adopt("vif9.0", [tapEnd], vnetHeader: true);
        vif.Attach(grants, tap, []);
        vif.Start();
        long stuckBefore = WorkerCounters.Stuck;

        Assert.False(vif.TearDown(TimeSpan.FromMilliseconds(50)));
        Assert.False(vif.TearDown(TimeSpan.FromMilliseconds(50))); // retried: still stuck, not reported again
        Assert.False(vif.IsTornDown);
        Assert.Equal(["vif9.0-q0"], vif.StuckWorkers);
        Assert.Equal(1, WorkerCounters.Stuck - stuckBefore);
        var stuck = logs.Entries.Where(e => e.Id.Id == 8).ToArray();
        Assert.Single(stuck);
        Assert.Equal(LogLevel.Error, stuck[0].Level);
        Assert.Contains("vif9.0-q0", stuck[0].Message, StringComparison.Ordinal);
        Assert.Contains("keeps its mapping", stuck[0].Message, StringComparison.Ordinal);
        // Nothing was released: the mapping, its memfd and the TAP are still there.
        Assert.False(grants.Fd.IsClosed);
        Assert.Contains(File.ReadLines("/proc/self/maps"), l => l.Contains("teardown-truth", StringComparison.Ordinal));
        Assert.False(tapEnd.IsClosed);
        Assert.Equal(2, workers.StopSignals);

        workers.Release();
        Assert.True(vif.TearDown(TimeSpan.FromMilliseconds(50)));
        Assert.True(vif.IsTornDown);
        Assert.Empty(vif.StuckWorkers);
        Assert.True(grants.Fd.IsClosed);
        Assert.DoesNotContain(File.ReadLines("/proc/self/maps"), l => l.Contains("teardown-truth", StringComparison.Ordinal));
        Assert.True(tapEnd.IsClosed);
        Assert.Contains(logs.Entries, e => e.Id.Id == 19 && e.Message.Contains("vif9.0", StringComparison.Ordinal));
        Assert.True(vif.TearDown(TimeSpan.Zero)); // idempotent
        vif.Dispose();
        Assert.Equal(1, WorkerCounters.Stuck - stuckBefore);
    }

    [Fact]
    public void Workers_that_stop_make_teardown_true_at_once()
    {
        var logs = new CollectingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var workers = new StuckWorkers("vif9.1-q0");
        workers.Release();
        var vif = new Vif(Plan(), new FakeDataPath(workers), loggers.CreateLogger("test"), () => { });
        var grants = GrantArea.Create(4, "teardown-clean");
        vif.Attach(grants, Ring.Shared.Tap.TapDevice.Adopt("vif9.1", [TapSocketPair.Create().Item1], vnetHeader: true), []);
        vif.Start();
        Assert.True(vif.TearDown(TimeSpan.FromSeconds(1)));
        Assert.True(grants.Fd.IsClosed);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    private static VifPlan Plan() => SampleVifPlan.Create(0);

    private sealed class FakeDataPath(IVifWorkers workers) : IDataPath
    {
        public IVifWorkers Start(Vif vif) => workers;
    }

    /// <summary>Workers that ignore the stop until released, as one blocked in a system call would.</summary>
    private sealed class StuckWorkers(string name) : IVifWorkers
    {
        private volatile bool _released;
        private int _stops;

        public int StopSignals => Volatile.Read(ref _stops);

        public void Release() => _released = true;

        public void SignalStop() => Interlocked.Increment(ref _stops);

        public IReadOnlyList<string> Join(TimeSpan timeout) => _released ? [] : [name];

        public void SetRate(RateLimit? rate)
        {
        }
    }
}
