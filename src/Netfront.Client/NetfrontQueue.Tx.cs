using System.Runtime.CompilerServices;
using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Offload;

namespace Netfront.Client;

/// <summary>
/// Guest TX, after xen-netfront.c's <c>xennet_start_xmit</c> and <c>xennet_tx_buf_gc</c>: every slot
/// id owns one data page (gref = first TX data page + id); a frame is copied (or read) into the
/// pages of free ids, requests are published with RING_PUSH_REQUESTS_AND_CHECK_NOTIFY, and ids come
/// back when their responses are consumed.
/// </summary>
public sealed unsafe partial class NetfrontQueue
{
    private const byte IdFree = 0;
    private const byte IdReserved = 1;
    private const byte IdInRing = 2;

    /// <summary>The largest frame one slot carries (one data page).</summary>
    public const int MaxSlotFrame = NetifLimits.PageSize;

    /// <summary>
    /// Pages one <see cref="TryBeginSendPages"/> reservation may hold: 16 carry the 65535 bytes of
    /// XEN_NETIF_MAX_TX_SIZE; one more lets a reader (readv from a TAP) see a frame that is too big
    /// instead of silently truncating it. With the GSO extra that is NrSlotsMin (18) ring slots.
    /// </summary>
    public const int MaxTxPages = NetifLimits.NrSlotsMin - 1;

    private readonly uint _txDataGref;
    private readonly byte* _txData;
    private ushort[] _txFreeIds = [];
    private byte[] _txIdState = [];
    private int _txFreeCount;
    private int _txReserved;
    private uint _txPushed;
    /// <summary>What the backend accepts on guest TX (from Connected).</summary>
    private OffloadFeatures _txOffloads;
    /// <summary>The ids of the open multi-page reservation (<see cref="TryBeginSendPages"/>), in page order.</summary>
    private readonly ushort[] _txPageIds = new ushort[MaxTxPages];
    private int _txPageCount;

    private void InitTx()
    {
        _tx.Init();
        int size = (int)_tx.Size;
        _txFreeIds = new ushort[size];
        _txIdState = new byte[size];
        // Pop from the end: hand out low ids first (no reason beyond readable traces).
        for (int i = 0; i < size; i++)
        {
            _txFreeIds[i] = (ushort)(size - 1 - i);
        }
        _txFreeCount = size;
        _txPushed = _tx.ReqProdPvt;
    }

    /// <summary>
    /// TX slots available now: a frame of up to <see cref="MaxSlotFrame"/> bytes needs one, larger
    /// frames one per started page, a <see cref="TryBeginSendPages"/> reservation its pages plus one
    /// ring slot for a GSO extra (which takes a ring slot but no slot id or page).
    /// </summary>
    public int FreeTxSlots => Math.Min(_txFreeCount, (int)_tx.FreeRequests - _txReserved);

    /// <summary>Slots given to the backend and not yet answered.</summary>
    public int TxInFlight => (int)(_tx.ReqProdPvt - _tx.RspCons);

    /// <summary>
    /// Copies <paramref name="frame"/> into granted pages and queues its request(s); false when the
    /// ring has no room (reclaim responses, then retry). Frames over one page are chained with
    /// <c>NETTXF_more_data</c>, the first slot's size being the frame's total. Call
    /// <see cref="PushTransmits"/> after a batch.
    /// </summary>
    public bool TrySend(ReadOnlySpan<byte> frame)
    {
        ThrowIfBroken();
        int length = frame.Length;
        if (length is 0 or > NetifLimits.MaxTxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(frame), length, $"a frame is 1..{NetifLimits.MaxTxSize} bytes");
        }
        int slots = (length + MaxSlotFrame - 1) / MaxSlotFrame;
        if (FreeTxSlots < slots && !(ReclaimOnSend() && FreeTxSlots >= slots))
        {
            Counters.TxRingFull++;
            return false;
        }
        int offset = 0;
        for (int s = 0; s < slots; s++)
        {
            int chunk = Math.Min(MaxSlotFrame, length - offset);
            ushort id = _txFreeIds[--_txFreeCount];
            frame.Slice(offset, chunk).CopyTo(new Span<byte>(TxPage(id), chunk));
            offset += chunk;
            _txIdState[id] = IdInRing;
            _tx.Produce(new NetifTxRequest
            {
                Gref = _txDataGref + id,
                Offset = 0,
                Flags = (ushort)(offset < length ? NetTxFlags.MoreData : NetTxFlags.None),
                Id = id,
                // First slot: the packet's total (netif.h); later slots: their fragment.
                Size = (ushort)(s == 0 ? length : chunk),
            });
        }
        Counters.TxPackets++;
        Counters.TxBytes += length;
        return true;
    }

    /// <summary>
    /// Zero-copy send: reserves a free slot and returns its whole granted page (4096 bytes) to be
    /// filled in place, e.g. by <c>read()</c> from a TAP. Finish with <see cref="CommitSend"/> (or
    /// <see cref="CancelSend"/>). False when no slot is free.
    /// </summary>
    public bool TryBeginSend(out Span<byte> buffer, out int token)
    {
        ThrowIfBroken();
        if (FreeTxSlots < 1 && !(ReclaimOnSend() && FreeTxSlots >= 1))
        {
            Counters.TxRingFull++;
            buffer = default;
            token = -1;
            return false;
        }
        ushort id = _txFreeIds[--_txFreeCount];
        _txIdState[id] = IdReserved;
        _txReserved++;
        buffer = new Span<byte>(TxPage(id), MaxSlotFrame);
        token = id;
        return true;
    }

    /// <summary>
    /// Queues the frame of <paramref name="length"/> bytes written into the buffer of
    /// <paramref name="token"/>; a length of 0 gives the slot back unused.
    /// </summary>
    public void CommitSend(int token, int length)
    {
        ThrowIfBroken();
        if ((uint)token >= (uint)_txIdState.Length || _txIdState[token] != IdReserved)
        {
            throw new InvalidOperationException($"TX token {token} is not a reserved slot");
        }
        if ((uint)length > MaxSlotFrame)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"a single-slot frame is 0..{MaxSlotFrame} bytes");
        }
        ushort id = (ushort)token;
        _txReserved--;
        if (length == 0)
        {
            FreeTxId(id);
            return;
        }
        _txIdState[id] = IdInRing;
        _tx.Produce(new NetifTxRequest { Gref = _txDataGref + id, Offset = 0, Flags = 0, Id = id, Size = (ushort)length });
        Counters.TxPackets++;
        Counters.TxBytes += length;
    }

    /// <summary>Gives back a slot reserved by <see cref="TryBeginSend"/> without sending.</summary>
    public void CancelSend(int token) => CommitSend(token, 0);

    /// <summary>
    /// Zero-copy multi-page send: reserves <paramref name="pageAddresses"/>.Length (1..<see
    /// cref="MaxTxPages"/>) free slot ids and one more ring slot for a GSO extra, and writes the
    /// address of each reserved granted page (4096 bytes each, not contiguous) so the caller can fill
    /// them in order, e.g. with <c>readv</c>. Finish with <see cref="CommitSendPages"/> or
    /// <see cref="CancelSendPages"/>; one such reservation may be open at a time. False when the
    /// ring lacks the slots (reclaim responses, then retry).
    /// </summary>
    public bool TryBeginSendPages(Span<nint> pageAddresses)
    {
        ThrowIfBroken();
        int pages = pageAddresses.Length;
        if (pages is < 1 or > MaxTxPages)
        {
            throw new ArgumentOutOfRangeException(nameof(pageAddresses), pages, $"a reservation holds 1..{MaxTxPages} pages");
        }
        if (_txPageCount != 0)
        {
            throw new InvalidOperationException("a multi-page TX reservation is already open");
        }
        if (!PagesFit(pages) && !(ReclaimOnSend() && PagesFit(pages)))
        {
            Counters.TxRingFull++;
            return false;
        }
        for (int i = 0; i < pages; i++)
        {
            ushort id = _txFreeIds[--_txFreeCount];
            _txIdState[id] = IdReserved;
            _txPageIds[i] = id;
            pageAddresses[i] = (nint)TxPage(id);
        }
        _txPageCount = pages;
        _txReserved += pages + 1; // +1: the ring slot a GSO extra would take
        return true;
    }

    /// <summary>
    /// Queues the <paramref name="length"/> bytes written into the reserved pages (page i holding
    /// bytes i*4096..) with <paramref name="offload"/> (xennet_start_xmit's encoding): the first
    /// slot carries the total size, NETTXF_csum_blank/data_validated and, for GSO,
    /// NETTXF_extra_info followed by the GSO extra slot; the other pages follow chained with
    /// NETTXF_more_data. Unused pages go back. A length of 0 cancels. GSO the backend did not offer
    /// (<see cref="NetfrontDevice.TxOffloads"/>), a zero MSS, or a length beyond the reservation or
    /// 65535 throws and leaves the reservation open.
    /// </summary>
    public void CommitSendPages(int length, in FrameOffload offload)
    {
        ThrowIfBroken();
        int reserved = _txPageCount;
        if (reserved == 0)
        {
            throw new InvalidOperationException("no multi-page TX reservation is open");
        }
        if ((uint)length > (uint)Math.Min(reserved * NetifLimits.PageSize, NetifLimits.MaxTxSize))
        {
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"the reservation carries 0..{Math.Min(reserved * NetifLimits.PageSize, NetifLimits.MaxTxSize)} bytes");
        }
        if (offload.IsGso)
        {
            var needed = offload.GsoType switch
            {
                XenNetifGsoType.TcpV4 => OffloadFeatures.Tso4,
                XenNetifGsoType.TcpV6 => OffloadFeatures.Tso6,
                _ => throw new ArgumentOutOfRangeException(nameof(offload), offload.GsoType, "unknown GSO type"),
            };
            if ((_txOffloads & needed) == 0)
            {
                throw new ArgumentException($"the backend did not offer GSO {offload.GsoType} (its TX features: {_txOffloads})", nameof(offload));
            }
            if (offload.GsoSize == 0)
            {
                throw new ArgumentException("a GSO frame needs a non-zero gso_size (MSS)", nameof(offload));
            }
        }
        int used = (length + NetifLimits.PageSize - 1) / NetifLimits.PageSize;
        for (int i = used; i < reserved; i++)
        {
            FreeTxId(_txPageIds[i]);
        }
        _txPageCount = 0;
        _txReserved -= reserved + 1;
        if (length == 0)
        {
            return;
        }

        NetTxFlags first = offload.TxFlags;
        int offset = 0;
        for (int s = 0; s < used; s++)
        {
            ushort id = _txPageIds[s];
            int chunk = Math.Min(NetifLimits.PageSize, length - offset);
            offset += chunk;
            var flags = s == 0 ? first : NetTxFlags.None;
            if (offset < length)
            {
                flags |= NetTxFlags.MoreData;
            }
            _txIdState[id] = IdInRing;
            _tx.Produce(new NetifTxRequest
            {
                Gref = _txDataGref + id,
                Offset = 0,
                Flags = (ushort)flags,
                Id = id,
                Size = (ushort)(s == 0 ? length : chunk),
            });
            if (s == 0 && offload.IsGso)
            {
                // The extra takes a ring slot but no id or page; its response is NETIF_RSP_NULL.
                NetifTxRequest slot = default;
                Unsafe.As<NetifTxRequest, NetifExtraInfo>(ref slot) = offload.GsoExtra;
                _tx.Produce(slot);
                Counters.TxGsoPackets++;
            }
        }
        Counters.TxPackets++;
        Counters.TxBytes += length;
    }

    /// <summary>Gives back the pages of the open <see cref="TryBeginSendPages"/> reservation unused.</summary>
    public void CancelSendPages() => CommitSendPages(0, FrameOffload.None);

    /// <summary>
    /// RING_PUSH_REQUESTS_AND_CHECK_NOTIFY on the TX ring: publishes the queued requests and kicks
    /// the backend only if it asked (its <c>req_event</c> lies among them). Returns whether it kicked.
    /// </summary>
    public bool PushTransmits()
    {
        ThrowIfBroken();
        if (_tx.ReqProdPvt == _txPushed)
        {
            return false; // nothing new: spare the fence
        }
        _txPushed = _tx.ReqProdPvt;
        if (!_tx.PushRequestsAndCheckNotify() && EventSuppression)
        {
            return false;
        }
        EventChannel.Notify(_txKick.Fd);
        Counters.TxKicks++;
        return true;
    }

    /// <summary>
    /// Consumes the TX responses the backend has published (<c>xennet_tx_buf_gc</c>): frees their
    /// slot ids and counts error statuses. Returns the number of slots freed. A response producer
    /// beyond the ring (RING_RESPONSE_PROD_OVERFLOW) or a response for an id not in flight breaks the
    /// queue, as netfront marks the device broken.
    /// </summary>
    public int ReclaimTxResponses()
    {
        ThrowIfBroken();
        uint prod = _tx.ReadResponseProducer(); // acquire: responses up to prod are visible
        if (_tx.ResponseProducerOverflow(prod))
        {
            Break($"TX rsp_prod {prod} is more than {_tx.Size} ahead of rsp_cons {_tx.RspCons}");
        }
        int freed = 0;
        uint cons = _tx.RspCons;
        for (; cons != prod; cons++)
        {
            NetifTxResponse rsp = _tx.CopyResponse(cons); // RING_COPY_RESPONSE: read the slot once
            if (rsp.Status == NetifStatus.Null)
            {
                continue; // an extra-info slot's answer (xennet_tx_buf_gc skips these)
            }
            if (rsp.Id >= _txIdState.Length || _txIdState[rsp.Id] != IdInRing)
            {
                _tx.RspCons = cons;
                Break($"TX response for id {rsp.Id}, which is not in flight");
            }
            if (rsp.Status < NetifStatus.Okay)
            {
                if (rsp.Status == NetifStatus.Dropped)
                {
                    Counters.TxStatusDropped++;
                }
                else
                {
                    Counters.TxStatusErrors++;
                }
            }
            FreeTxId(rsp.Id);
            freed++;
        }
        _tx.RspCons = prod;
        if (!EventSuppression && freed > 0)
        {
            _tx.SetResponseEvent(prod + 1); // event suppression off: a call for the very next response
        }
        return freed;
    }

    /// <summary>
    /// RING_FINAL_CHECK_FOR_RESPONSES on the TX ring: asks for a TX call at the next response and
    /// looks once more. True when responses are waiting (reclaim instead of sleeping). Only needed
    /// when the caller waits for free TX slots.
    /// </summary>
    public bool FinalCheckForTxResponses() => FinalCheckForTxResponses(1);

    /// <summary>
    /// The final check before a wait for <paramref name="slotsWanted"/> free TX slots, by
    /// <see cref="TxCompletion"/>: <see cref="TxCompletionMode.PerPacket"/> asks for a TX call at the
    /// next response, <see cref="TxCompletionMode.Half"/> once half the outstanding requests (or the
    /// slots still missing, if more) are answered. True when responses are waiting (reclaim instead
    /// of sleeping). Either way the event lies within the outstanding requests, so it comes.
    /// </summary>
    public bool FinalCheckForTxResponses(int slotsWanted)
    {
        ThrowIfBroken();
        if (TxCompletion == TxCompletionMode.PerPacket || !EventSuppression)
        {
            return _tx.FinalCheckForResponses();
        }
        int missing = Math.Max(1, slotsWanted - FreeTxSlots);
        return _tx.FinalCheckForResponsesHalfway((uint)missing);
    }

    /// <summary>
    /// When a frontend waiting for TX slots asks for a call (<see cref="TxCompletionMode"/>); from
    /// <see cref="NetfrontOptions.TxCompletion"/>. Set it only while no driver runs the queue.
    /// </summary>
    public TxCompletionMode TxCompletion { get; set; } = TxCompletionMode.Half;

    /// <summary>
    /// <see cref="TxCompletionMode.Half"/>'s opportunistic reclaim (xennet_start_xmit calls
    /// xennet_tx_buf_gc): a send that finds too few slots free first takes the responses already
    /// published, which the call no longer asked for per response would have woken it for.
    /// True when it freed something.
    /// </summary>
    private bool ReclaimOnSend()
    {
        if (TxCompletion != TxCompletionMode.Half || _tx.UnconsumedResponses == 0)
        {
            return false;
        }
        ReclaimTxResponses();
        return true;
    }

    /// <summary>A reservation of <paramref name="pages"/> needs as many free ids and one more ring slot (a GSO extra).</summary>
    private bool PagesFit(int pages) => _txFreeCount >= pages && (int)_tx.FreeRequests - _txReserved >= pages + 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* TxPage(ushort id) => _txData + (nint)id * NetifLimits.PageSize;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FreeTxId(ushort id)
    {
        _txIdState[id] = IdFree;
        _txFreeIds[_txFreeCount++] = id;
    }
}
