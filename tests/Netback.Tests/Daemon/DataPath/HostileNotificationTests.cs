using Microsoft.Extensions.Logging;
using Netback.Tests.Support;
using Ring.Shared.Abi;
using Ring.Shared.Interop;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// Frontends that attack the worker through the eventfds they share with it (one open file
/// description on both sides): a blocking description with a full counter, a kick in semaphore
/// mode, a second reader stealing the kicks. Nothing they do may block or spin a worker, disturb
/// another vif, or keep a teardown from completing.
/// They run alone (<see cref="SerialCollection"/>): they find a worker by its thread name and
/// measure its CPU time, and a parallel test's backend names its first vif the same (vif1.0).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class HostileNotificationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_blocking_call_eventfd_with_a_full_counter_never_blocks_the_worker()
    {
        await using var backend = new InProcessBackend();
        using var healthy = Healthy(backend);
        using var channels = HostileChannels.Create();
        var (f, vif) = channels.Connect(backend.SocketPath);
        var host = backend.Host(vif);

        // The counter one short of full, then the shared description made blocking: a write(2) of
        // the backend's would now sleep until someone reads, which this frontend never does.
        Assert.True(HostileEventFds.TryWrite(channels.TxCall, HostileEventFds.FullCounter));
        Assert.True(HostileEventFds.TryWrite(channels.RxCall, HostileEventFds.FullCounter));
        HostileEventFds.SetNonBlocking(channels.TxCall, false);
        HostileEventFds.SetNonBlocking(channels.RxCall, false);

        using (f)
        {
            for (ushort i = 0; i < 4; i++)
            {
                // Ask for a call on every response (rsp_event = the next one), so the backend signals each time.
                f.Tx.SetResponseEvent(f.Tx.RspCons + 1);
                byte[] frame = Frame(100, (byte)(0x30 + i));
                frame.CopyTo(f.Page(HostileFrontend.DataGref(i)));
                f.ProduceTx(HostileFrontend.DataGref(i), 0, NetTxFlags.None, i, (ushort)frame.Length);
                f.Tx.PushRequests();
                Assert.True(HostileEventFds.TryWrite(channels.TxKick, 1));
                Assert.Equal(frame, ReceiveFromHost(host));
                Assert.Equal(NetifStatus.Okay, f.TakeTxResponses(1)[0].Status);
            }
            AssertPassesFramesBothWays(backend, healthy, 0x41);
        }

        AssertTornDown(backend, vif);
        AssertPassesFramesBothWays(backend, healthy, 0x51);
    }

    [Fact]
    public async Task A_semaphore_mode_kick_with_a_huge_count_does_not_spin_the_worker()
    {
        await using var backend = new InProcessBackend();
        using var channels = HostileChannels.Create(semaphoreKicks: true);
        var (f, vif) = channels.Connect(backend.SocketPath);
        using (f)
        {
            // Each read of a semaphore eventfd takes 1: a level-triggered reader would wake for every unit.
            Assert.True(HostileEventFds.TryWrite(channels.TxKick, 1UL << 62));
            Assert.True(HostileEventFds.TryWrite(channels.RxKick, 1UL << 62));
            int tid = WorkerTid(vif);
            Thread.Sleep(200); // past the first wake-up
            var before = HostileEventFds.CpuTime(tid);
            Thread.Sleep(Measure);
            var used = HostileEventFds.CpuTime(tid) - before;
            Assert.True(used < TimeSpan.FromMilliseconds(100),
                $"worker {vif}-q0 used {used.TotalMilliseconds} ms of CPU in {Measure.TotalSeconds} s ({HostileEventFds.Describe(tid)})");

            // And the vif still works: kicks are still heard.
            var host = backend.Host(vif);
            byte[] frame = Frame(80, 0x61);
            Assert.Equal(NetifStatus.Okay, SendFrame(f, channels.TxKick, frame, 0));
            Assert.Equal(frame, ReceiveFromHost(host));
        }
        AssertTornDown(backend, vif);
    }

    [Fact]
    public async Task A_frontend_stealing_its_own_kicks_blocks_no_worker_and_teardown_completes()
    {
        await using var backend = new InProcessBackend();
        using var healthy = Healthy(backend);
        using var channels = HostileChannels.Create();
        var (f, vif) = channels.Connect(backend.SocketPath);
        using var stop = new CancellationTokenSource();
        // Blocking descriptions, and a thief per kick that writes and reads back at once: a worker
        // that reads after epoll said "readable" finds the counter gone and sleeps in read(2).
        HostileEventFds.SetNonBlocking(channels.TxKick, false);
        HostileEventFds.SetNonBlocking(channels.RxKick, false);
        var thieves = new[] { channels.TxKick, channels.RxKick }.Select(k => new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                HostileEventFds.TryWrite(k, 1);
                HostileEventFds.TryRead(k);
            }
        }) { IsBackground = true, Name = "kick-thief" }).ToArray();
        int tid = WorkerTid(vif);
        try
        {
            foreach (var t in thieves)
            {
                t.Start();
            }
            Thread.Sleep(Measure);
            // The other vif carries on meanwhile.
            AssertPassesFramesBothWays(backend, healthy, 0x71);
        }
        finally
        {
            // The thieves stop with a last write each, so none of them is left blocked in read(2).
            stop.Cancel();
            HostileEventFds.SetNonBlocking(channels.TxKick, true);
            HostileEventFds.SetNonBlocking(channels.RxKick, true);
            foreach (var t in thieves)
            {
                Assert.True(t.Join(Patience), "a thief did not stop");
            }
        }
        string state = HostileEventFds.Describe(tid);
        f.Dispose();
        AssertTornDown(backend, vif, state);
        AssertPassesFramesBothWays(backend, healthy, 0x72);
    }

    [Fact]
    public async Task A_storm_of_kicks_that_announce_nothing_is_throttled()
    {
        await using var backend = new InProcessBackend(o => o.SpuriousKickLimit = 0); // throttled, never disabled
        using var healthy = Healthy(backend);
        using var channels = HostileChannels.Create();
        var (f, vif) = channels.Connect(backend.SocketPath);
        var counters = backend.Registry.Snapshot().Single(v => v.Name == vif).Queues[0].Counters;
        int tid = WorkerTid(vif);
        using (f)
        using (var storm = new KickStorm(channels.TxKick, channels.RxKick))
        {
            Thread.Sleep(Measure); // the delay reaches its cap (1 s) within about a second
            long wakeupsBefore = Volatile.Read(ref counters.Wakeups);
            long spuriousBefore = Volatile.Read(ref counters.SpuriousKicks);
            var cpuBefore = HostileEventFds.CpuTime(tid);
            Thread.Sleep(Measure);
            long wakeups = Volatile.Read(ref counters.Wakeups) - wakeupsBefore;
            long spurious = Volatile.Read(ref counters.SpuriousKicks) - spuriousBefore;
            var cpu = HostileEventFds.CpuTime(tid) - cpuBefore;
            output.WriteLine($"kick storm: {storm.Kicks} kicks written; in the last {Measure.TotalSeconds} s the worker woke {wakeups} times " +
                $"({spurious} spurious kicks) and used {cpu.TotalMilliseconds} ms of CPU; {Volatile.Read(ref counters.KickDelayMs)} ms masked in all");
            // XSA-332's late EOI: per channel at most one wake-up per delay once the delay is at its cap.
            Assert.True(wakeups <= 10, $"{wakeups} wake-ups in {Measure.TotalSeconds} s of a kick storm");
            Assert.True(spurious >= 2, $"only {spurious} spurious kicks counted");
            Assert.True(cpu < TimeSpan.FromMilliseconds(100), $"the worker used {cpu.TotalMilliseconds} ms of CPU");
            AssertPassesFramesBothWays(backend, healthy, 0x81);
            // Throttled, the vif still hears its frontend: a real request is taken at the next unmask.
            var host = backend.Host(vif);
            byte[] frame = Frame(90, 0x82);
            Assert.Equal(NetifStatus.Okay, SendFrame(f, channels.TxKick, frame, 0));
            Assert.Equal(frame, ReceiveFromHost(host));
        }
        AssertTornDown(backend, vif);
    }

    /// <summary>Under <c>pool:2</c> a filler vif takes worker 1, so the storm shares worker 0 with the healthy vif.</summary>
    [Theory]
    [InlineData("per-queue")]
    [InlineData("pool:2")]
    [InlineData("split")]
    public async Task A_kick_storm_that_persists_disables_the_vif_with_its_reason(string threads)
    {
        await using var backend = new InProcessBackend(o =>
        {
            o.SpuriousKickMaxDelayMs = 50;
            o.SpuriousKickLimit = 20;
            o.Threads = threads;
        });
        using var healthy = Healthy(backend);
        using var filler = threads.StartsWith("pool:", StringComparison.Ordinal) ? Healthy(backend) : null;
        using var channels = HostileChannels.Create();
        var (f, vif) = channels.Connect(backend.SocketPath);
        if (filler is not null)
        {
            var vifs = backend.Registry.Snapshot();
            Assert.Equal(vifs.Single(v => v.Name == healthy.VifName).Threads, vifs.Single(v => v.Name == vif).Threads);
        }
        long before = Netback.Daemon.Diagnostics.FatalCounters.Read(Netback.Daemon.Diagnostics.FatalReason.KickStorm);
        using (f)
        using (new KickStorm(channels.TxKick, channels.RxKick))
        {
            var m = f.ReceiveControl();
            Assert.Equal(Ring.Shared.Control.ControlMessageType.State, m.Type);
            Assert.Equal(Ring.Shared.Abi.XenbusState.Closing, m.State);
            Assert.Contains("KickStorm", m.Get(Ring.Shared.Control.XenbusKeys.Reason) ?? "", StringComparison.Ordinal);
            Assert.True(f.WaitForEof());
        }
        if (threads.StartsWith("pool:", StringComparison.Ordinal))
        {
            Assert.True(Eventually(() => backend.Registry.Snapshot().All(v => v.Name != vif)), $"{vif} is still registered");
            Assert.Equal(2, PoolThreads()); // the worker it shared with the healthy vif goes on
        }
        else
        {
            AssertTornDown(backend, vif);
        }
        Assert.True(Netback.Daemon.Diagnostics.FatalCounters.Read(Netback.Daemon.Diagnostics.FatalReason.KickStorm) > before);
        string warning = Assert.Single(backend.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(vif, StringComparison.Ordinal)).Message;
        Assert.Contains("KickStorm", warning, StringComparison.Ordinal);
        AssertPassesFramesBothWays(backend, healthy, 0x91);
    }

    /// <summary>Threads that kick as fast as they can without publishing anything, until disposed.</summary>
    private sealed class KickStorm : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread[] _threads;
        private long _kicks;

        public KickStorm(params FileDescriptorHandle[] kicks)
        {
            _threads = kicks.Select(k => new Thread(() =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    if (HostileEventFds.TryWrite(k, 1))
                    {
                        Interlocked.Increment(ref _kicks);
                    }
                }
            }) { IsBackground = true, Name = "kick-storm" }).ToArray();
            foreach (var t in _threads)
            {
                t.Start();
            }
        }

        public long Kicks => Interlocked.Read(ref _kicks);

        public void Dispose()
        {
            _stop.Cancel();
            foreach (var t in _threads)
            {
                t.Join();
            }
            _stop.Dispose();
        }
    }

    /// <summary>Sends one frame on the hostile vif with a kick on <paramref name="txKick"/>; returns its status.</summary>
    private static short SendFrame(HostileFrontend f, FileDescriptorHandle txKick, byte[] frame, ushort id)
    {
        frame.CopyTo(f.Page(HostileFrontend.DataGref(id)));
        f.ProduceTx(HostileFrontend.DataGref(id), 0, NetTxFlags.None, id, (ushort)frame.Length);
        f.Tx.PushRequests();
        HostileEventFds.TryWrite(txKick, 1);
        return f.TakeTxResponses(1)[0].Status;
    }

    /// <summary>This process's <c>netback/N</c> pool threads.</summary>
    private static int PoolThreads() => Directory.GetDirectories("/proc/self/task").Count(t =>
    {
        try
        {
            return File.ReadAllText(Path.Combine(t, "comm")).StartsWith("netback/", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    });

    private static int WorkerTid(string vif)
    {
        int? tid = null;
        Assert.True(Eventually(() => (tid = HostileEventFds.ThreadId($"{vif}-q0")) is not null), $"no worker thread {vif}-q0");
        return tid!.Value;
    }

    /// <summary>
    /// The vif is gone for real: out of the registry, its worker thread ended, and no "did not stop"
    /// line (a worker stuck in a syscall on a shared description would leave all three behind).
    /// </summary>
    private static void AssertTornDown(InProcessBackend backend, string vif, string? stateBefore = null)
    {
        Assert.True(Eventually(() => backend.Registry.Snapshot().All(v => v.Name != vif)), $"{vif} is still registered");
        // Whatever the model named them: the queue's own thread (per-queue) or its two (split).
        foreach (string worker in new[] { $"{vif}-q0", $"{vif}-q0-tx", $"{vif}-q0-rx" })
        {
            Assert.True(Eventually(() => HostileEventFds.ThreadId(worker) is null),
                $"worker {worker} still runs after teardown ({(HostileEventFds.ThreadId(worker) is { } t ? HostileEventFds.Describe(t) : "?")}; before: {stateBefore})");
        }
        var errors = backend.Logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Level} {e.Id.Id}: {e.Message}").ToArray();
        Assert.True(errors.Length == 0, string.Join('\n', errors));
    }
}
