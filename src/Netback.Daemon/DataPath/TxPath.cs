using System.Diagnostics;
using System.Runtime.InteropServices;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;
using Netback.Daemon.Interface;
using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Offload;
using Ring.Shared.Rings;

namespace Netback.Daemon.DataPath;

/// <summary>
/// Guest TX (frontend → TAP), after netback.c's <c>xenvif_tx_action</c>: copy each packet's slots out
/// once and judge them (<see cref="TxRequestReader"/>), charge the credit (<c>rate=</c>), check the
/// source (<see cref="SpoofFilter"/>), <c>writev</c> the frame from the mapped pages into the TAP and
/// answer every slot (tx-copy=map: from pages mapped per packet by <see cref="TxGrantMapper"/> and
/// unmapped per round). Fatal errors disable the vif; the rest drop the packet with an error response.
/// Owned by the queue's worker thread.
/// </summary>
internal sealed unsafe class TxPath<TIo> : IDisposable where TIo : struct, IFrameIo
{
    /// <summary>Bytes of a frame copied out for parsing (netback copies its first 128 and pulls more as needed).</summary>
    private const int HeaderCopySize = SpoofFilter.HeaderBytes;
    /// <summary>tx-copy=bounce: room for the largest frame (XEN_NETIF_MAX_TX_SIZE).</summary>
    private const int BounceCopySize = 64 * 1024;
    /// <summary>iovecs per writev: [vnet hdr, header copy, ≤ 18 data slots], with room to spare.</summary>
    private const int MaxIov = 2 + NetifLimits.NrSlotsMin + 4;
    /// <summary>Longest sleep while out of credit, so a live rate change is seen soon even with long intervals.</summary>
    private const int MaxCreditSleepMs = 100;

    private readonly VifQueue _queue;
    private readonly QueueCounters _counters;
    private readonly TxRequestReader _reader;
    private readonly CreditScheduler _credit;
    private readonly SpoofFilter? _filter;
    private readonly TIo _io;
    private readonly int _copyCapacity;
    private Uio.iovec* _iov;
    private VirtioNetHdr* _vnet;
    /// <summary>
    /// The frame's first bytes (direct) or all of it (bounce), private to this queue: what is parsed
    /// is what the kernel reads, whatever the frontend writes to its pages meanwhile.
    /// </summary>
    private byte* _copy;
    private readonly ICallNotifier _call;
    /// <summary>Netback:EventSuppression: false calls the frontend on every push and keeps req_event at req_cons + 1.</summary>
    private readonly bool _eventSuppression;
    /// <summary>tx-copy=map: maps each packet's pages and unmaps them per round; null otherwise.</summary>
    private readonly TxGrantMapper? _mapper;
    private int _tapFd = -1;
    /// <summary>Set when the last action left a packet on the ring for lack of credit.</summary>
    private bool _rateLimited;
    private long _creditWaitTicks;

    public TxPath(VifQueue queue, CreditScheduler credit, SpoofFilter? filter, TIo io)
    {
        _queue = queue;
        _counters = queue.Counters;
        _eventSuppression = queue.Vif.Plan.EventSuppression;
        _call = queue.TxNotifier;
        var vif = queue.Vif;
        _reader = new TxRequestReader(new TxLimits(queue.DataPageFirst, queue.PageCount, vif.MaxFrameSize, vif.Offloads.Tx));
        _credit = credit;
        _filter = filter;
        _io = io;
        _copyCapacity = vif.Offloads.TxCopy == TxCopyMode.Bounce ? BounceCopySize : HeaderCopySize;
        _iov = (Uio.iovec*)NativeMemory.AllocZeroed((nuint)(MaxIov * sizeof(Uio.iovec)));
        _vnet = (VirtioNetHdr*)NativeMemory.AllocZeroed((nuint)sizeof(VirtioNetHdr));
        _copy = (byte*)NativeMemory.AllocZeroed((nuint)_copyCapacity);
        _mapper = vif.Offloads.TxCopy == TxCopyMode.Map ? new TxGrantMapper(queue) : null;
    }

    /// <summary>True once a fatal frontend error disabled the vif: the worker stops.</summary>
    public bool Failed { get; private set; }

    /// <summary>The TAP queue fd this path uses, valid while the worker holds its lease.</summary>
    public void Bind(int tapFd) => _tapFd = tapFd;

    /// <summary>Processes up to <paramref name="budget"/> packets; returns how many.</summary>
    public int Action(int budget)
    {
        var ring = _queue.Tx;
        int packets = 0;
        bool responded = false;
        _rateLimited = false;
        while (packets < budget)
        {
            uint prod = ring.ReadRequestProducer();
            if (ring.RequestProducerOverflow(prod))
            {
                Fail(FatalReason.ImpossibleRequestCount,
                    $"req_prod {prod} req_cons {ring.ReqCons} rsp_prod_pvt {ring.RspProdPvt} ring size {ring.Size}");
                return packets;
            }
            uint work = ring.UnconsumedRequests(prod);
            if (work == 0)
            {
                break;
            }
            uint cons = ring.ReqCons;
            NetifTxRequest first = ring.CopyRequest(cons);
            if (!CreditAvailable(first.Size))
            {
                break; // rate=: nothing consumed, the packet waits for the next window
            }
            var slots = new RingSlotSource(ring, cons + 1);
            var status = _reader.Read(first, ref slots, work - 1, out TxPacket packet);
            if (status == TxReadStatus.Fatal)
            {
                Fail(packet.Fatal, packet.FatalDetail!);
                return packets; // the vif is disabled: publish nothing more
            }
            TxDropReason? drop = status == TxReadStatus.Drop ? packet.Drop : Write(in packet);
            short result = NetifStatus.Okay;
            if (drop is { } reason)
            {
                _counters.TxDrops[(int)reason]++;
                result = reason == TxDropReason.TapWriteFailed ? NetifStatus.Dropped : NetifStatus.Error;
            }
            else
            {
                _counters.TxPackets++;
                _counters.TxBytes += first.Size;
            }
            Respond(in packet, result);
            ring.ReqCons = cons + packet.SlotsUsed;
            responded = true;
            packets++;
        }
        _mapper?.EndRound();
        if (responded && PushResponses(ring))
        {
            if (_call.Signal())
            {
                Interlocked.Increment(ref _counters.NotificationsSent); // split: the guest-TX and guest-RX threads both call
            }
            else
            {
                Interlocked.Increment(ref _counters.NotificationsFailed);
            }
        }
        return packets;
    }

    /// <summary>epoll_wait timeout: -1 (block) unless guest TX waits for credit.</summary>
    public int CreditTimeoutMs() =>
        _rateLimited ? Math.Min(MaxCreditSleepMs, _credit.TicksToTimeoutMs(_creditWaitTicks)) : -1;

    /// <summary>
    /// Charges a packet of <paramref name="size"/> bytes (the first slot's total) to the vif's credit
    /// (netback's <c>tx_credit_exceeded</c>). False: out of credit.
    /// </summary>
    private bool CreditAvailable(int size)
    {
        if (!_credit.IsLimited || _credit.TryConsume(size, Stopwatch.GetTimestamp(), out _creditWaitTicks))
        {
            return true;
        }
        _rateLimited = true;
        _counters.TxRateLimited++;
        return false;
    }

    /// <summary>make_tx_response: the first slot, its extras (NULL), then the other data slots.</summary>
    private void Respond(in TxPacket packet, short status)
    {
        var ring = _queue.Tx;
        ring.Produce(new NetifTxResponse { Id = packet.First.Id, Status = status });
        for (int i = 0; i < packet.ExtraSlots; i++)
        {
            ring.Produce(new NetifTxResponse { Id = 0, Status = NetifStatus.Null });
        }
        var slots = _reader.Slots;
        for (int i = 1; i < packet.DataSlots; i++)
        {
            ring.Produce(new NetifTxResponse { Id = slots[i].Id, Status = status });
        }
    }

    /// <summary>
    /// Writes a checked packet to the TAP: [virtio_net_hdr, private copy of the first bytes, the
    /// rest from the frontend's pages] in one writev. The copy is what anti-spoofing and the header
    /// parser see (netback's checksum_setup), and exactly what the TAP gets. Null when written.
    /// </summary>
    private TxDropReason? Write(in TxPacket packet)
    {
        var slots = _reader.Slots;
        int total = packet.First.Size;
        var flags = (NetTxFlags)packet.First.Flags;
        if (_mapper is not null && !_mapper.MapPacket(slots))
        {
            return TxDropReason.GrantMapFailed;
        }
        int copied = _copyCapacity == BounceCopySize ? total : Math.Min(total, HeaderCopySize);
        CopyFrameOut(slots, packet.FirstLength, copied);
        if (_filter is not null)
        {
            var spoof = _filter.Check(new ReadOnlySpan<byte>(_copy, copied));
            if (spoof != SpoofDropReason.None)
            {
                _counters.SpoofDrops[(int)spoof]++;
                return TxDropReason.Spoofed;
            }
        }

        // Xen's flags and GSO extra as the TAP's virtio_net_hdr (Ring.Shared's one mapping), parsed
        // from our copy: netback's checksum_setup and xenvif_set_skb_gso.
        var copy = new Span<byte>(_copy, copied);
        var offload = FrameOffload.FromTx(flags, packet.IsGso ? packet.Gso : default);
        switch (NetifOffload.ToVirtio(offload, copy, RingKind.Tx, out *_vnet, out var parsed))
        {
            case NetifOffloadResult.Mapped:
                break;
            case NetifOffloadResult.NeedsPseudoHeaderChecksum:
                // A GSO frame with a full checksum: the kernel segments only partial ones, so put the
                // pseudo-header sum in our copy (netback's recalculate_partial_csum).
                NetifOffload.WritePseudoHeaderChecksum(copy, parsed, total);
                break;
            case NetifOffloadResult.GsoTypeMismatch:
                return TxDropReason.GsoTypeMismatch;
            case NetifOffloadResult.GsoSizeOutOfRange:
                return TxDropReason.GsoSizeOutOfRange;
            default:
                return TxDropReason.HeadersUnparsable;
        }

        _iov[0].iov_base = _vnet;
        _iov[0].iov_len = (nuint)VirtioNetHdr.Size;
        int iovs = 1;
        if (copied > 0)
        {
            _iov[iovs].iov_base = _copy;
            _iov[iovs].iov_len = (nuint)copied;
            iovs++;
        }
        int skip = copied;
        for (int i = 0; i < slots.Length && skip < total; i++)
        {
            NetifTxRequest s = slots[i];
            int length = i == 0 ? packet.FirstLength : s.Size;
            if (length <= skip)
            {
                skip -= length;
                continue;
            }
            _iov[iovs].iov_base = SlotPage(i, s.Gref) + s.Offset + skip;
            _iov[iovs].iov_len = (nuint)(length - skip);
            iovs++;
            skip = 0;
        }
        if (!_io.Write(_tapFd, _iov, iovs))
        {
            return TxDropReason.TapWriteFailed;
        }
        if (offload.IsGso)
        {
            _counters.TxGsoFrames++;
        }
        if (offload.CsumBlank)
        {
            _counters.TxCsumBlankFrames++;
        }
        return null;
    }

    /// <summary>Copies the first <paramref name="count"/> bytes of the packet's slots into <see cref="_copy"/>.</summary>
    private void CopyFrameOut(ReadOnlySpan<NetifTxRequest> slots, int firstLength, int count)
    {
        int done = 0;
        for (int i = 0; i < slots.Length && done < count; i++)
        {
            NetifTxRequest s = slots[i];
            int length = Math.Min(i == 0 ? firstLength : s.Size, count - done);
            Buffer.MemoryCopy(SlotPage(i, s.Gref) + s.Offset, _copy + done, count - done, length);
            done += length;
        }
    }

    /// <summary>Data slot <paramref name="slot"/>'s page: the persistent mapping, or (tx-copy=map) the page mapped for this packet.</summary>
    private byte* SlotPage(int slot, uint gref) => _mapper is null ? _queue.PageAddress(gref) : _mapper.SlotPage(slot);

    /// <summary>xenvif_fatal_tx_err: marks this path failed and disables the vif.</summary>
    private void Fail(FatalReason reason, string detail)
    {
        Failed = true;
        _mapper?.EndRound();
        _queue.Vif.FatalError(_queue.Index, reason, detail);
    }

    /// <summary>
    /// Publishes the responses; true when the frontend is to be called. With event suppression (ring.h)
    /// only if its rsp_event asks; without, always, and req_event is re-armed at req_cons + 1 so the
    /// frontend kicks for its next request even while this worker is busy.
    /// </summary>
    private bool PushResponses(BackRing<NetifTxRequest, NetifTxResponse> ring)
    {
        if (_eventSuppression)
        {
            return ring.PushResponsesAndCheckNotify();
        }
        ring.PushResponses();
        ring.SetRequestEvent(ring.ReqCons + 1);
        return true;
    }

    public void Dispose()
    {
        _mapper?.Dispose();
        if (_iov != null)
        {
            NativeMemory.Free(_iov);
            NativeMemory.Free(_vnet);
            NativeMemory.Free(_copy);
            _iov = null;
            _vnet = null;
            _copy = null;
        }
    }
}
