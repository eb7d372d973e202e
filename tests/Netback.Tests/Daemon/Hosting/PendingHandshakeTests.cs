using System.Diagnostics;
using System.Net.Sockets;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;
using Netback.Tests.Fuzz;
using Netback.Tests.Support;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Hosting;

/// <summary>
/// An admitted but hostile uid (Netback:Access:AllowedUids) opens connections and never sends a
/// Connect. They cost the daemon no thread each; beyond the per-uid and daemon-wide bounds they are
/// refused at accept with a reason and closed; the rest are dropped at the handshake timeout; a
/// frontend of another uid attaches meanwhile as fast as ever. Needs root (the hostile connections
/// come from uid 65534); serial, because it counts this process's threads and fds.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class PendingHandshakeTests
{
    private const uint Other = ForeignUid.Nobody - 1;

    private static InProcessBackend Backend(int handshakeTimeoutSeconds = 10, Action<ControlPlaneOptions>? bounds = null)
    {
        var backend = new InProcessBackend(o =>
        {
            o.SocketMode = "0666";
            o.Access.AllowedUids.Add(ForeignUid.Nobody);
            o.Access.AllowedUids.Add(Other);
            o.HandshakeTimeoutSeconds = handshakeTimeoutSeconds;
        }, bounds: bounds);
        ForeignUid.OpenDirectory(Path.GetDirectoryName(backend.SocketPath)!);
        return backend;
    }

    [Fact]
    public async Task Four_thousand_idle_connections_hold_no_thread_each_and_another_uid_still_attaches_within_a_second()
    {
        ForeignUid.RequireRoot();
        const int Idle = 4000;
        await using var backend = Backend(handshakeTimeoutSeconds: 3);
        // One honest cycle first, so what the runtime and the backend create lazily is in the baseline.
        using (var warm = Healthy(backend))
        {
            AssertPassesFramesBothWays(backend, warm, 0x10);
        }
        Assert.True(backend.WaitForVifCount(0, Patience));
        // Leaks are judged without the runtime's own threads and the assemblies' fds (ResourceSnapshot).
        var baseline = ResourceSnapshot.Take();
        int threadBaseline = ProcessThreads.Count();

        long counted = RefusalCounters.Read(RefusalReason.UidHandshakeLimit);
        var clock = Stopwatch.StartNew();
        var idle = ForeignUid.Connect(backend.SocketPath, Idle);
        var channels = idle.Select(s => new ControlChannel(s)).ToList();
        try
        {
            var connected = clock.Elapsed;
            int threadsWithIdle = ProcessThreads.Count();
            Assert.True(threadsWithIdle <= threadBaseline + 8,
                $"{Idle} idle connections took the process from {threadBaseline} to {threadsWithIdle} threads");

            // Every connection's first message: Hello for those within the per-uid bound, a refusal for the rest.
            var first = channels.Select(c => FirstMessage(c)).ToList();
            int hellos = first.Count(m => m?.Type == ControlMessageType.Hello);
            var refusals = first.Where(m => m?.Type == ControlMessageType.Error).ToList();
            int perUid = backend.Bounds.MaxPendingHandshakesPerUid;
            Assert.Equal(perUid, hellos);
            Assert.Equal(Idle - perUid, refusals.Count);
            string reason = AssertReason(refusals[0]!, ControlMessageType.Error, XenbusState.Closing,
                $"uid {ForeignUid.Nobody} has {perUid} handshakes pending, the limit is {perUid}");
            Assert.True(RefusalCounters.Read(RefusalReason.UidHandshakeLimit) - counted >= Idle - perUid,
                "netback.connections.refused{reason=uid_handshake_limit} did not count every refusal");
            // Rate-limited: a burst, not a line per refused connection.
            Assert.InRange(backend.Logs.Entries.Count(e => e.Id.Id == 14), 1, 20);

            // An honest frontend of another uid (this process's) attaches at once, and works.
            var attach = Stopwatch.StartNew();
            using (var honest = Healthy(backend))
            {
                attach.Stop();
                AssertPassesFramesBothWays(backend, honest, 0x20);
            }
            Assert.True(attach.Elapsed < TimeSpan.FromSeconds(1), $"the honest frontend took {attach.ElapsedMilliseconds} ms to attach");
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{Idle} idle: connected in {connected.TotalMilliseconds:0} ms, threads {threadBaseline} -> {threadsWithIdle}, " +
                $"honest attach {attach.Elapsed.TotalMilliseconds:0.0} ms; refusal: {reason}");

            // The refused ones were closed at once; the admitted ones go at the handshake timeout.
            Assert.True(Eventually(() => channels.All(IsClosedByBackend), TimeSpan.FromSeconds(10)),
                $"{channels.Count(c => !IsClosedByBackend(c))} connections still open 10 s after a 3 s handshake timeout");
        }
        finally
        {
            foreach (var c in channels)
            {
                c.Dispose();
            }
        }
        Assert.True(backend.WaitForVifCount(0, Patience));
        var after = ResourceSnapshot.Take();
        Assert.True(Eventually(() => (after = ResourceSnapshot.Take()).Fds <= baseline.Fds && after.OwnThreads <= baseline.OwnThreads, Patience),
            $"after: {after}; before: {baseline}; threads: {ResourceSnapshot.OwnThreadNames()}");
    }

    [Fact]
    public async Task One_uid_beyond_its_bound_is_refused_at_accept_and_another_uid_still_attaches()
    {
        ForeignUid.RequireRoot();
        await using var backend = Backend(bounds: b => b.MaxPendingHandshakesPerUid = 4);
        var nobody = ForeignUid.Connect(backend.SocketPath, 10).Select(s => new ControlChannel(s)).ToList();
        var other = ForeignUid.Connect(backend.SocketPath, 5, Other).Select(s => new ControlChannel(s)).ToList();
        try
        {
            var nobodyFirst = nobody.Select(c => FirstMessage(c)).ToList();
            Assert.Equal(4, nobodyFirst.Count(m => m?.Type == ControlMessageType.Hello));
            var refused = nobodyFirst.Where(m => m?.Type == ControlMessageType.Error).ToList();
            Assert.Equal(6, refused.Count);
            AssertReason(refused[^1]!, ControlMessageType.Error, XenbusState.Closing, $"uid {ForeignUid.Nobody} has 4 handshakes pending, the limit is 4");
            // Refused means closed at once, not left to the handshake timeout.
            Assert.True(Eventually(() => nobody.Count(IsClosedByBackend) == 6, TimeSpan.FromSeconds(2)));

            // Another uid has its own count.
            var otherFirst = other.Select(c => FirstMessage(c)).ToList();
            Assert.Equal(4, otherFirst.Count(m => m?.Type == ControlMessageType.Hello));
            Assert.Single(otherFirst, m => m?.Type == ControlMessageType.Error);

            using var honest = Healthy(backend);
            AssertPassesFramesBothWays(backend, honest, 0x30);

            // A uid's count goes down as its connections go: one closed, one more admitted.
            nobody[0].Dispose();
            Assert.True(Eventually(() => FirstMessageOfNew(backend.SocketPath)?.Type == ControlMessageType.Hello, TimeSpan.FromSeconds(5)));
        }
        finally
        {
            foreach (var c in nobody.Concat(other))
            {
                c.Dispose();
            }
        }
    }

    [Fact]
    public async Task The_daemon_wide_bound_refuses_whoever_asks_beyond_it()
    {
        ForeignUid.RequireRoot();
        await using var backend = Backend(bounds: b =>
        {
            b.MaxPendingHandshakes = 6;
            b.MaxPendingHandshakesPerUid = 4;
        });
        var nobody = ForeignUid.Connect(backend.SocketPath, 4).Select(s => new ControlChannel(s)).ToList();
        var other = ForeignUid.Connect(backend.SocketPath, 4, Other).Select(s => new ControlChannel(s)).ToList();
        try
        {
            Assert.All(nobody, c => Assert.Equal(ControlMessageType.Hello, FirstMessage(c)?.Type));
            var otherFirst = other.Select(c => FirstMessage(c)).ToList();
            Assert.Equal(2, otherFirst.Count(m => m?.Type == ControlMessageType.Hello));
            var refused = otherFirst.Where(m => m?.Type == ControlMessageType.Error).ToList();
            Assert.Equal(2, refused.Count);
            AssertReason(refused[0]!, ControlMessageType.Error, XenbusState.Closing, "6 handshakes pending, the limit is 6");
        }
        finally
        {
            foreach (var c in nobody.Concat(other))
            {
                c.Dispose();
            }
        }
        // Once they are gone, everyone is served again.
        using var honest = Healthy(backend);
        AssertPassesFramesBothWays(backend, honest, 0x40);
    }

    /// <summary>The first message the backend sent on <paramref name="c"/>, or null if none came within 5 s.</summary>
    private static ControlMessage? FirstMessage(ControlChannel c)
    {
        try
        {
            using var r = c.Receive(TimeSpan.FromSeconds(5));
            return r.Message;
        }
        catch (Exception e) when (e is TimeoutException or ControlChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>A new connection's first message (as nobody), the connection closed after.</summary>
    private static ControlMessage? FirstMessageOfNew(string path)
    {
        var s = ForeignUid.Connect(path, 1)[0];
        using var c = new ControlChannel(s);
        return FirstMessage(c);
    }

    /// <summary>True once the backend has closed its end (what it sent before is read and dropped).</summary>
    private static bool IsClosedByBackend(ControlChannel c)
    {
        try
        {
            while (true)
            {
                using var r = c.Receive(TimeSpan.Zero);
            }
        }
        catch (ControlChannelClosedException)
        {
            return true;
        }
        catch (Exception e) when (e is TimeoutException or ControlProtocolException or SocketException)
        {
            return false;
        }
    }
}
