using System.Buffers.Binary;
using System.ComponentModel;
using System.Net.Sockets;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Interop;
using Ring.Shared.Rings;
using Netback.Tests.Daemon.DataPath;
using Netback.Tests.Support;

namespace Netback.Tests.Fuzz;

/// <summary>
/// One hostile frontend after another, each writing random and mutated TX/RX slots and indices at
/// full speed with kicks, without waiting for anything. A session ends when the backend disables
/// the vif (Closing on the control channel) or after a random number of cases, politely or not.
/// Its eventfds are its own and attacked too (they share their open file description with the
/// backend): kicks in semaphore mode, calls made blocking with a full counter, O_NONBLOCK flipped,
/// counters filled, kicks stolen back by a thread of its own, storms of kicks that announce nothing.
/// </summary>
internal sealed class RingFuzzer(string socketPath, Random rng, FuzzTally tally)
{
    private static readonly RingGeometry TxGeometry = RingGeometry.For(RingKind.Tx, RingLayout.Xen, 0);
    private static readonly RingGeometry RxGeometry = RingGeometry.For(RingKind.Rx, RingLayout.Xen, 0);

    /// <summary>This session's eventfds: TX kick, TX call, RX kick, RX call (the frontend's own, passed in Connect).</summary>
    private FileDescriptorHandle[] _events = [];

    /// <summary>
    /// Serialises this side's writes and flag changes (this thread's and the kick thief's). Nobody
    /// reads a kick but the thief, so a write to a full counter on a blocking description would put
    /// the fuzzer itself to sleep for ever: every write is made non-blocking for its own duration.
    /// </summary>
    private static readonly Lock FlagLock = new();

    public void Run(Func<bool> stop)
    {
        while (!stop())
        {
            HostileFrontend f;
            _events = SessionEventFds();
            try
            {
                (f, _) = HostileEventFds.Connect(socketPath, _events[0], _events[1], _events[2], _events[3]);
            }
            catch (Exception e) when (e is InvalidOperationException or ControlChannelClosedException or TimeoutException or SocketException)
            {
                tally.HarnessError("ring fuzzer connect", e);
                DisposeEvents();
                Thread.Sleep(50);
                continue;
            }
            using var thief = rng.Next(6) == 0 ? new KickThief(_events[0], _events[2]) : null;
            if (thief is not null)
            {
                tally.Case("evt-kick-thief");
            }
            using (f)
            {
                tally.Session();
                int budget = rng.Next(1, 3000);
                for (int i = 0; i < budget && !stop(); i++)
                {
                    if (f.Channel.Socket.Poll(0, SelectMode.SelectRead))
                    {
                        break; // Closing (a fatal error) or EOF: this vif is gone
                    }
                    OneCase(f);
                }
                if (rng.Next(2) == 0)
                {
                    TrySend(f, new ControlMessage(ControlMessageType.State) { State = XenbusState.Closing });
                }
            }
            thief?.Dispose();
            DisposeEvents();
        }
    }

    /// <summary>Mostly plain non-blocking eventfds; sometimes kicks in semaphore mode, or calls blocking with a full counter.</summary>
    private FileDescriptorHandle[] SessionEventFds()
    {
        bool semaphore = rng.Next(4) == 0;
        bool hostileCalls = rng.Next(4) == 0;
        var fds = new[]
        {
            HostileEventFds.Create(semaphore: semaphore),
            HostileEventFds.Create(),
            HostileEventFds.Create(semaphore: semaphore),
            HostileEventFds.Create(),
        };
        if (semaphore)
        {
            Write(fds[0], 1UL << 40); // a count a level-triggered reader would take a unit at a time
            Write(fds[2], 1UL << 40);
            tally.Case("evt-semaphore-kicks");
        }
        if (hostileCalls)
        {
            Write(fds[1], HostileEventFds.FullCounter);
            Write(fds[3], HostileEventFds.FullCounter);
            Flip(fds[1], false);
            Flip(fds[3], false);
            tally.Case("evt-full-blocking-calls");
        }
        return fds;
    }

    private void DisposeEvents()
    {
        foreach (var fd in _events)
        {
            fd.Dispose();
        }
        _events = [];
    }

    /// <summary>Publishes the TX requests and kicks (a hostile frontend ignores req_event).</summary>
    private void PushTx(HostileFrontend f)
    {
        f.Tx.PushRequests();
        Kick(_events[0]);
    }

    private void PushRx(HostileFrontend f)
    {
        f.Rx.PushRequests();
        Kick(_events[2]);
    }

    /// <summary>A kick that may fail (EAGAIN when this frontend has filled its own counter): that is the frontend's problem.</summary>
    private static void Kick(FileDescriptorHandle kick) => Write(kick, 1);

    /// <summary>A write that cannot block this side, whatever the description's flags are meant to be meanwhile.</summary>
    private static void Write(FileDescriptorHandle fd, ulong value)
    {
        lock (FlagLock)
        {
            bool blocking = !HostileEventFds.IsNonBlocking(fd);
            if (blocking)
            {
                HostileEventFds.SetNonBlocking(fd, true);
            }
            HostileEventFds.TryWrite(fd, value);
            if (blocking)
            {
                HostileEventFds.SetNonBlocking(fd, false);
            }
        }
    }

    /// <summary>What a frontend can do to the eventfds it shares with the backend, one thing at a time.</summary>
    private void EventFdCase()
    {
        var fd = _events[rng.Next(_events.Length)];
        switch (rng.Next(5))
        {
            case 0:
                Flip(fd, rng.Next(2) == 0);
                tally.Case("evt-flip-nonblock");
                break;
            case 1:
                Write(fd, HostileEventFds.FullCounter - (ulong)rng.Next(3));
                tally.Case("evt-fill-counter");
                break;
            case 2:
                HostileEventFds.TryRead(fd); // never blocks the fuzzer itself (RWF_NOWAIT)
                tally.Case("evt-read-back");
                break;
            case 3:
                for (int k = rng.Next(100, 2000); k > 0; k--)
                {
                    Kick(_events[rng.Next(2) * 2]);
                }
                tally.Case("evt-kick-storm");
                break;
            default:
                Write(fd, (ulong)rng.NextInt64(1, long.MaxValue));
                tally.Case("evt-random-count");
                break;
        }
    }

    private static void Flip(FileDescriptorHandle fd, bool nonBlocking)
    {
        lock (FlagLock)
        {
            HostileEventFds.SetNonBlocking(fd, nonBlocking);
        }
    }

    /// <summary>A thread of the frontend that writes and reads back its own kicks, racing the backend for them.</summary>
    private sealed class KickThief : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;

        public KickThief(FileDescriptorHandle txKick, FileDescriptorHandle rxKick)
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    Write(txKick, 1);
                    HostileEventFds.TryRead(txKick);
                    Write(rxKick, 1);
                    HostileEventFds.TryRead(rxKick);
                }
            }) { IsBackground = true, Name = "fuzz-kick-thief" };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }

    private static void TrySend(HostileFrontend f, ControlMessage m)
    {
        try
        {
            f.Channel.Send(m);
        }
        catch (Exception e) when (e is Win32Exception or SocketException or ControlChannelClosedException)
        {
            // the backend already hung up
        }
    }

    private void OneCase(HostileFrontend f)
    {
        switch (rng.Next(13))
        {
            case 0:
            case 1:
            case 2:
                ValidFrame(f);
                tally.Case("tx-valid");
                break;
            case 3:
                Chain(f, mutate: false);
                tally.Case("tx-chain");
                break;
            case 4:
            case 5:
            case 6:
                Chain(f, mutate: true);
                tally.Case("tx-mutated");
                break;
            case 7:
                RandomSlots(f);
                tally.Case("tx-random");
                break;
            case 8:
                Indices(f);
                tally.Case("indices");
                break;
            case 9:
            case 10:
                RxPosts(f);
                tally.Case("rx-posts");
                break;
            case 11:
                for (int k = rng.Next(1, 20); k > 0; k--)
                {
                    Kick(_events[rng.Next(2) * 2]);
                }
                tally.Case("kicks");
                break;
            default:
                EventFdCase();
                break;
        }
    }

    /// <summary>Forgets answered requests, as a frontend would, so later cases find free slots.</summary>
    private static uint ReclaimTx(HostileFrontend f)
    {
        f.Tx.RspCons = f.Tx.ReadResponseProducer();
        return f.Tx.FreeRequests;
    }

    private ushort Id() => (ushort)rng.Next(0x10000);

    private uint DataGref() => HostileFrontend.DataGref(rng.Next(HostileFrontend.DataPages));

    private void ValidFrame(HostileFrontend f)
    {
        if (ReclaimTx(f) is 0 or > 256)
        {
            PushTx(f);
            return;
        }
        int size = rng.Next(NetifLimits.EthHeaderLength, 1515);
        int offset = rng.Next(NetifLimits.PageSize - size + 1);
        uint gref = DataGref();
        var page = f.Page(gref).Slice(offset, size);
        page[..6].Fill(0xff);
        BinaryPrimitives.WriteUInt16BigEndian(page[12..], 0x88B5);
        f.ProduceTx(gref, (ushort)offset, NetTxFlags.None, Id(), (ushort)size);
        PushTx(f);
    }

    /// <summary>A well-formed multi-slot packet (maybe with an extra), then, if asked, one field of one slot made hostile.</summary>
    private void Chain(HostileFrontend f, bool mutate)
    {
        // Mostly short chains; sometimes around netback's limits (18 slots allowed, 20 fatal).
        int slots = rng.Next(8) == 0 ? rng.Next(17, 23) : rng.Next(2, 6);
        bool extra = rng.Next(3) == 0;
        if (ReclaimTx(f) is var free && (free < slots + 1 || free > 256))
        {
            PushTx(f);
            return;
        }
        var requests = new NetifTxRequest[slots];
        int total = 0;
        for (int i = 0; i < slots; i++)
        {
            int size = rng.Next(1, 1400 / slots);
            requests[i] = new NetifTxRequest { Gref = DataGref(), Offset = (ushort)rng.Next(100), Id = Id(), Size = (ushort)size };
            requests[i].Flags = (ushort)(i < slots - 1 ? NetTxFlags.MoreData : NetTxFlags.None);
            total += size;
        }
        requests[0].Size = (ushort)Math.Max(total, NetifLimits.EthHeaderLength + 10);
        if (extra)
        {
            requests[0].Flags |= (ushort)NetTxFlags.ExtraInfo;
        }
        if (mutate)
        {
            ref NetifTxRequest r = ref requests[rng.Next(slots)];
            switch (rng.Next(5))
            {
                case 0: r.Gref = Pick(0u, 1u, HostileFrontend.DataPageFirst, (uint)HostileFrontend.GrantPages, uint.MaxValue, (uint)rng.Next()); break;
                case 1: r.Offset = (ushort)Pick(0, 4095, 4096, 4097, 65535, rng.Next(0x10000)); break;
                case 2: r.Flags = (ushort)rng.Next(0x10000); break;
                case 3: r.Id = Id(); break;
                default: r.Size = (ushort)Pick(0, 1, 13, 14, 1514, 1515, 4096, 65535, rng.Next(0x10000)); break;
            }
        }
        for (int i = 0; i < slots; i++)
        {
            f.Tx.Produce(requests[i]);
            if (i == 0 && extra)
            {
                f.ProduceExtra(new NetifExtraInfo
                {
                    Type = (byte)rng.Next(mutate ? 256 : 7),
                    Flags = (byte)(mutate ? rng.Next(256) : 0),
                    GsoSize = (ushort)rng.Next(0x10000),
                    GsoType = (byte)rng.Next(mutate ? 256 : 5),
                });
            }
        }
        PushTx(f);
    }

    /// <summary>1-24 slots of pure noise.</summary>
    private void RandomSlots(HostileFrontend f)
    {
        ReclaimTx(f);
        Span<byte> noise = stackalloc byte[12];
        for (int n = rng.Next(1, 25); n > 0; n--)
        {
            rng.NextBytes(noise);
            f.Tx.Produce(System.Runtime.InteropServices.MemoryMarshal.Read<NetifTxRequest>(noise));
        }
        PushTx(f);
    }

    /// <summary>Scribbles on one index of the shared ring headers: producers jump, events and even the backend's rsp_prod get garbage.</summary>
    private void Indices(HostileFrontend f)
    {
        bool tx = rng.Next(2) == 0;
        var geometry = tx ? TxGeometry : RxGeometry;
        var header = f.Page(tx ? HostileFrontend.TxRingRef : HostileFrontend.RxRingRef);
        uint value = (uint)rng.Next() ^ (uint)rng.Next() << 16;
        switch (rng.Next(5))
        {
            case 0:
                int jump = rng.Next(-3, 300);
                if (tx)
                {
                    f.Tx.ReqProdPvt = unchecked(f.Tx.ReqProdPvt + (uint)jump);
                    PushTx(f);
                }
                else
                {
                    f.Rx.ReqProdPvt = unchecked(f.Rx.ReqProdPvt + (uint)jump);
                    PushRx(f);
                }
                return;
            case 1: Write(header, geometry.ReqEventOffset, value); break;
            case 2: Write(header, geometry.RspEventOffset, value); break;
            case 3: Write(header, geometry.RspProdOffset, value); break;
            default: Write(header, geometry.ReqProdOffset, value); break;
        }
        Kick(_events[tx ? 0 : 2]);
    }

    private static void Write(Span<byte> header, int offset, uint value) =>
        Volatile.Write(ref System.Runtime.CompilerServices.Unsafe.As<byte, uint>(ref header[offset]), value);

    /// <summary>RX buffers, mostly good ones (the injector sends frames into them), sometimes a bad gref.</summary>
    private void RxPosts(HostileFrontend f)
    {
        f.Rx.RspCons = f.Rx.ReadResponseProducer();
        uint free = f.Rx.FreeRequests;
        int n = free > 256 ? 1 : Math.Min(rng.Next(1, 64), (int)free);
        for (int i = 0; i < n; i++)
        {
            uint gref = rng.Next(40) == 0 ? Pick(0u, 1u, (uint)HostileFrontend.GrantPages, uint.MaxValue) : DataGref();
            f.Rx.Produce(new NetifRxRequest { Id = Id(), Gref = gref });
        }
        PushRx(f);
    }

    private T Pick<T>(params T[] choices) => choices[rng.Next(choices.Length)];
}
