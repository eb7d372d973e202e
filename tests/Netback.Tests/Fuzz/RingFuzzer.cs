using System.Buffers.Binary;
using System.ComponentModel;
using System.Net.Sockets;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Rings;
using Netback.Tests.Support;

namespace Netback.Tests.Fuzz;

/// <summary>
/// One hostile frontend after another, each writing random and mutated TX/RX slots and indices at
/// full speed with kicks, without waiting for anything. A session ends when the backend disables
/// the vif (Closing on the control channel) or after a random number of cases, politely or not.
/// </summary>
internal sealed class RingFuzzer(string socketPath, Random rng, FuzzTally tally)
{
    private static readonly RingGeometry TxGeometry = RingGeometry.For(RingKind.Tx, RingLayout.Xen, 0);
    private static readonly RingGeometry RxGeometry = RingGeometry.For(RingKind.Rx, RingLayout.Xen, 0);

    public void Run(Func<bool> stop)
    {
        while (!stop())
        {
            HostileFrontend f;
            try
            {
                f = HostileFrontend.Connect(socketPath);
            }
            catch (Exception e) when (e is InvalidOperationException or ControlChannelClosedException or TimeoutException or SocketException)
            {
                tally.HarnessError("ring fuzzer connect", e);
                Thread.Sleep(50);
                continue;
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
        switch (rng.Next(12))
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
            default:
                for (int k = rng.Next(1, 20); k > 0; k--)
                {
                    (rng.Next(2) == 0 ? f.TxKick : f.RxKick).Notify();
                }
                tally.Case("kicks");
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
            f.PushTx();
            return;
        }
        int size = rng.Next(NetifLimits.EthHeaderLength, 1515);
        int offset = rng.Next(NetifLimits.PageSize - size + 1);
        uint gref = DataGref();
        var page = f.Page(gref).Slice(offset, size);
        page[..6].Fill(0xff);
        BinaryPrimitives.WriteUInt16BigEndian(page[12..], 0x88B5);
        f.ProduceTx(gref, (ushort)offset, NetTxFlags.None, Id(), (ushort)size);
        f.PushTx();
    }

    /// <summary>A well-formed multi-slot packet (maybe with an extra), then, if asked, one field of one slot made hostile.</summary>
    private void Chain(HostileFrontend f, bool mutate)
    {
        // Mostly short chains; sometimes around netback's limits (18 slots allowed, 20 fatal).
        int slots = rng.Next(8) == 0 ? rng.Next(17, 23) : rng.Next(2, 6);
        bool extra = rng.Next(3) == 0;
        if (ReclaimTx(f) is var free && (free < slots + 1 || free > 256))
        {
            f.PushTx();
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
        f.PushTx();
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
        f.PushTx();
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
                    f.PushTx();
                }
                else
                {
                    f.Rx.ReqProdPvt = unchecked(f.Rx.ReqProdPvt + (uint)jump);
                    f.Rx.PushRequests();
                    f.RxKick.Notify();
                }
                return;
            case 1: Write(header, geometry.ReqEventOffset, value); break;
            case 2: Write(header, geometry.RspEventOffset, value); break;
            case 3: Write(header, geometry.RspProdOffset, value); break;
            default: Write(header, geometry.ReqProdOffset, value); break;
        }
        (tx ? f.TxKick : f.RxKick).Notify();
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
        f.Rx.PushRequests();
        f.RxKick.Notify();
    }

    private T Pick<T>(params T[] choices) => choices[rng.Next(choices.Length)];
}
