using System.Net.Sockets;
using Ring.Shared.Abi;
using Netback.Tests.Support;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Fuzz;

/// <summary>
/// XSA-155's lesson as a test: a second frontend thread rewrites the fields of TX and RX requests the
/// backend is already processing. The backend copies each slot once and validates only its copy, so
/// no rewrite can steer it outside the grant area (the test process would die), make it throw, or
/// disturb another vif. Two flavours per session: rewrites between values that are each valid (a
/// double fetch would combine them into an invalid request), and wild values (a fatal disable is then
/// the expected end).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SharedMemoryRaceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan SessionLength = TimeSpan.FromMilliseconds(400);

    [Fact]
    public async Task Rewriting_published_requests_never_crashes_the_backend_nor_disturbs_another_vif()
    {
        await using var backend = new InProcessBackend();
        using var healthy = Healthy(backend);
        var tally = new FuzzTally();
        var rng = new Random(FuzzSettings.FromEnvironment().Seed);
        long published = 0, rewrites = 0, sessions = 0;
        var disabled = new long[2]; // [valid-value races, wild races]
        var end = DateTime.UtcNow + Duration;
        while (DateTime.UtcNow < end)
        {
            bool wild = sessions++ % 2 == 1;
            using var f = HostileFrontend.Connect(backend.SocketPath);
            var hostEnd = backend.Host(f.VifName);
            hostEnd.Socket.Blocking = false;
            using var stopRewriter = new CancellationTokenSource();
            var rewriter = new Thread(() => rewrites += Rewrite(f, wild, new Random(rng.Next()), stopRewriter.Token)) { Name = "race-rewriter" };
            rewriter.Start();
            var sessionEnd = DateTime.UtcNow + SessionLength;
            bool closed = false;
            while (DateTime.UtcNow < sessionEnd && !(closed = f.Channel.Socket.Poll(0, SelectMode.SelectRead)))
            {
                published += PublishSlots(f, wild);
                FeedRx(hostEnd.Socket);
            }
            stopRewriter.Cancel();
            rewriter.Join();
            disabled[wild ? 1 : 0] += closed ? 1 : 0;
            tally.Absorb(backend.Logs);
            Assert.True(tally.Crashes == 0, "backend crashes:\n" + tally.Details());
            AssertPassesFramesBothWays(backend, healthy, (byte)sessions);
        }
        Assert.True(backend.WaitForVifCount(1, Patience), "a raced vif was left behind");
        tally.Absorb(backend.Logs);
        output.WriteLine($"{sessions} sessions, {published} requests published under {rewrites} field rewrites, vifs disabled: {disabled[0]} of {(sessions + 1) / 2} " +
            $"valid-value races (a torn copy may still combine two valid requests into a fatal one), {disabled[1]} of {sessions / 2} wild; " +
            tally.Summary(Duration, 0));
        Assert.True(tally.Crashes == 0, "backend crashes:\n" + tally.Details());
        Assert.True(published > 0 && rewrites > 0);
    }

    /// <summary>
    /// Publishes every free slot and kicks both rings. Wild: the slots as they are (the backend's own
    /// responses included). Otherwise each slot first gets a valid request, so the race, not leftover
    /// response bytes, decides what the backend copies.
    /// </summary>
    private static long PublishSlots(HostileFrontend f, bool wild)
    {
        f.Tx.RspCons = f.Tx.ReadResponseProducer();
        uint txFree = f.Tx.FreeRequests;
        f.Rx.RspCons = f.Rx.ReadResponseProducer();
        uint rxFree = f.Rx.FreeRequests;
        if (txFree <= f.Tx.Size)
        {
            for (uint i = 0; i < txFree && !wild; i++)
            {
                uint idx = f.Tx.ReqProdPvt + i;
                f.Tx.Request(idx) = new NetifTxRequest { Gref = HostileFrontend.DataGref((int)(idx % HostileFrontend.DataPages)), Size = 60, Id = (ushort)idx };
            }
            f.Tx.ReqProdPvt += txFree;
            f.PushTx();
        }
        if (rxFree <= f.Rx.Size)
        {
            for (uint i = 0; i < rxFree && !wild; i++)
            {
                uint idx = f.Rx.ReqProdPvt + i;
                f.Rx.Request(idx) = new NetifRxRequest { Gref = HostileFrontend.DataGref((int)(idx % HostileFrontend.DataPages)), Id = (ushort)idx };
            }
            f.Rx.ReqProdPvt += rxFree;
            f.Rx.PushRequests();
            f.RxKick.Notify();
        }
        return txFree + rxFree;
    }

    private static void FeedRx(Socket hostEnd)
    {
        try
        {
            hostEnd.Send(Frame(200, 0x77));
        }
        catch (SocketException)
        {
            // full, or the vif is gone
        }
    }

    /// <summary>Rewrites every field of every TX and RX slot until stopped; returns the number of rewrites.</summary>
    private static long Rewrite(HostileFrontend f, bool wild, Random rng, CancellationToken stop)
    {
        long n = 0;
        uint txSize = f.Tx.Size, rxSize = f.Rx.Size;
        while (!stop.IsCancellationRequested)
        {
            for (uint i = 0; i < txSize; i++)
            {
                ref NetifTxRequest t = ref f.Tx.Request(i);
                int flip = rng.Next(2);
                if (wild)
                {
                    Volatile.Write(ref t.Gref, (uint)rng.Next());
                    Volatile.Write(ref t.Offset, (ushort)rng.Next(0x10000));
                    Volatile.Write(ref t.Size, (ushort)rng.Next(0x10000));
                    Volatile.Write(ref t.Flags, (ushort)rng.Next(0x10000));
                }
                else
                {
                    // Any one snapshot is a valid single-slot packet (offset + size <= 4096); mixing the
                    // offset of one with the size of another (3000 + 1500) is not.
                    Volatile.Write(ref t.Gref, HostileFrontend.DataGref((int)(i % HostileFrontend.DataPages)));
                    // Written in the order that keeps every intermediate state valid too.
                    if (flip == 0)
                    {
                        Volatile.Write(ref t.Offset, 0);
                        Volatile.Write(ref t.Size, 1500);
                    }
                    else
                    {
                        Volatile.Write(ref t.Size, 60);
                        Volatile.Write(ref t.Offset, 3000);
                    }
                    Volatile.Write(ref t.Flags, (ushort)NetTxFlags.None);
                }
                Volatile.Write(ref t.Id, (ushort)rng.Next(0x10000));
                n++;
            }
            for (uint i = 0; i < rxSize; i++)
            {
                ref NetifRxRequest r = ref f.Rx.Request(i);
                Volatile.Write(ref r.Gref, wild ? (uint)rng.Next() : HostileFrontend.DataGref(rng.Next(HostileFrontend.DataPages)));
                Volatile.Write(ref r.Id, (ushort)rng.Next(0x10000));
                n++;
            }
        }
        return n;
    }
}
