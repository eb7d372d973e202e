using System.Runtime.CompilerServices;
using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Offload;
using Ring.Shared.Rings;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// A <see cref="NetfrontQueue"/> over private memory with a raw backend on the other side of its
/// rings (BackRing views of the same pages, as RingPair does for one ring): the test reads the TX
/// slots exactly as encoded and writes RX responses and extras by hand. Nothing here allocates
/// per frame, so the no-allocation test can use it.
/// </summary>
internal sealed unsafe class RawQueue : IDisposable
{
    private readonly AlignedMemory _memory;
    private readonly GrantLayout _layout;
    private readonly QueueEventChannels _channels;

    public RawQueue(OffloadFeatures tx = OffloadFeatures.All, OffloadFeatures rx = OffloadFeatures.All)
    {
        _layout = new GrantLayout(1, RingGeometry.For(RingKind.Tx, RingLayout.Xen, 0), RingGeometry.For(RingKind.Rx, RingLayout.Xen, 0));
        _memory = new AlignedMemory(_layout.TotalPages * NetifLimits.PageSize);
        _channels = QueueEventChannels.Create(split: true);
        Queue = new NetfrontQueue(0, _memory.Pointer, _layout, _channels);
        Queue.SetOffloads(tx, rx);
        Tx = new BackRing<NetifTxRequest, NetifTxResponse>(_memory.Pointer + (nint)_layout.TxRingRef(0) * NetifLimits.PageSize, _layout.Tx);
        Rx = new BackRing<NetifRxRequest, NetifRxResponse>(_memory.Pointer + (nint)_layout.RxRingRef(0) * NetifLimits.PageSize, _layout.Rx);
        Tx.Attach();
        Rx.Attach();
    }

    public NetfrontQueue Queue { get; }

    public BackRing<NetifTxRequest, NetifTxResponse> Tx { get; }

    public BackRing<NetifRxRequest, NetifRxResponse> Rx { get; }

    /// <summary>The granted page <paramref name="gref"/>, as the backend maps it.</summary>
    public Span<byte> Page(uint gref)
    {
        if (gref < (uint)_layout.DataPageFirst || gref >= (uint)_layout.TotalPages)
        {
            Assert.Fail($"gref {gref} is not a data page");
        }
        return new Span<byte>(_memory.Pointer + (nint)gref * NetifLimits.PageSize, NetifLimits.PageSize);
    }

    /// <summary>The TX data page of slot id <paramref name="id"/>.</summary>
    public uint TxGref(ushort id) => _layout.TxDataFirst(0) + id;

    /// <summary>Backend: the next published TX slot, consumed.</summary>
    public NetifTxRequest NextTx()
    {
        Assert.True(Tx.UnconsumedRequests() > 0, "no TX request published");
        var req = Tx.CopyRequest(Tx.ReqCons);
        Tx.ReqCons++;
        return req;
    }

    /// <summary>Reads a TX slot as the extra-info it holds.</summary>
    public static NetifExtraInfo AsExtra(NetifTxRequest slot) => Unsafe.As<NetifTxRequest, NetifExtraInfo>(ref slot);

    public void RespondTx(ushort id, short status = NetifStatus.Okay) => Tx.Produce(new NetifTxResponse { Id = id, Status = status });

    public void PushTx() => Tx.PushResponsesAndCheckNotify();

    /// <summary>Backend: takes the next posted RX buffer, writes <paramref name="data"/> at <paramref name="offset"/> of its page and answers it.</summary>
    public void RespondRx(NetRxFlags flags, ReadOnlySpan<byte> data, int offset = 0, short? status = null)
    {
        var req = NextRx();
        data.CopyTo(Page(req.Gref)[offset..]);
        Rx.Produce(new NetifRxResponse { Id = req.Id, Offset = (ushort)offset, Flags = (ushort)flags, Status = status ?? (short)data.Length });
    }

    /// <summary>Backend: an extra-info slot in place of the next response (its posted page goes unused).</summary>
    public void RespondRxExtra(NetifExtraInfo extra)
    {
        _ = NextRx();
        NetifRxResponse slot = default;
        Unsafe.As<NetifRxResponse, NetifExtraInfo>(ref slot) = extra;
        Rx.Produce(slot);
    }

    public static NetifExtraInfo Gso(XenNetifGsoType type, ushort size, byte flags = 0) =>
        new() { Type = (byte)XenNetifExtraType.Gso, Flags = flags, GsoType = (byte)type, GsoSize = size };

    public void PushRx() => Rx.PushResponsesAndCheckNotify();

    private NetifRxRequest NextRx()
    {
        Assert.True(Rx.UnconsumedRequests() > 0, "no RX buffer posted");
        var req = Rx.CopyRequest(Rx.ReqCons);
        Rx.ReqCons++;
        return req;
    }

    public void Dispose()
    {
        Queue.Release();
        _memory.Dispose();
    }
}
