using System.Runtime.CompilerServices;
using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Offload;

namespace Netfront.Client;

/// <summary>
/// Guest RX, after xen-netfront.c's <c>xennet_alloc_rx_buffers</c> and <c>xennet_poll</c>: the ring is
/// kept full of posted buffers, request <c>i</c> in ring slot <c>i &amp; (size-1)</c> with id = that
/// slot and gref = that id's RX data page (<c>xennet_rxidx</c>). The backend answers in the same slot,
/// so a consumed response frees exactly the slot the next request reuses.
/// </summary>
public sealed unsafe partial class NetfrontQueue
{
    /// <summary>
    /// Largest frame accepted: 17 data pages, what a backend fills for a 64 KiB GSO frame plus its
    /// headers (docs/protocol.md: 18 posted slots, one of them the extra). Also the size of the
    /// per-queue scratch buffer that gathers multi-slot frames for <see cref="IFrameSink"/>.
    /// </summary>
    public const int MaxRxFrame = (NetifLimits.NrSlotsMin - 1) * NetifLimits.PageSize;

    /// <summary>
    /// Most slots one RX frame may span (netfront's MAX_SKB_FRAGS + 1, plus the GSO extra);
    /// longer chains are dropped.
    /// </summary>
    private const int MaxRxSlots = NetifLimits.NrSlotsMin + 1;

    private enum RxOutcome
    {
        Frame,
        Dropped,
        Incomplete,
    }

    private enum RxDrop
    {
        None,
        StatusError,
        BadId,
        BadResponse,
        Oversize,
        BadExtra,
    }

    private readonly uint _rxDataGref;
    private readonly byte* _rxData;
    private readonly byte[] _rxScratch = new byte[MaxRxFrame];
    private uint _rxMask;
    private bool _rxHeld;
    private int _rxUnpushed;
    private bool _rxWaitingForChain;
    private uint _rxSeenProd;
    /// <summary>What this frontend advertised for RX: a GSO extra of another type is a backend bug.</summary>
    private OffloadFeatures _rxOffloads;
    // The frame parsed by TakeFrame: its data segments (zero-length slots left out), size and metadata.
    private readonly RxSegment[] _rxSegments = new RxSegment[MaxRxSlots];
    private int _rxSegmentCount;
    private int _rxLength;
    private FrameOffload _rxOffload;

    private void InitRx()
    {
        _rx.Init();
        _rxMask = _rx.Size - 1;
        RefillRx();
        // RING_PUSH_REQUESTS: the backend is not attached yet; it finds the buffers on attach.
        _rx.PushRequests();
        _rxUnpushed = 0;
    }

    /// <summary>
    /// Delivers up to <paramref name="budget"/> received frames to <paramref name="sink"/>, then
    /// re-posts every consumed buffer and pushes them (kicking the backend only if it asked).
    /// Returns the frames delivered; drops are counted in <see cref="Counters"/>.
    /// </summary>
    public int ReceiveBatch<TSink>(TSink sink, int budget = 64) where TSink : IFrameSink
    {
        ThrowIfBroken();
        if (sink is null) // not ThrowIfNull: that would box a struct sink on every batch
        {
            throw new ArgumentNullException(nameof(sink));
        }
        _rxHeld = false; // a frame returned by TryReceive is finished with now
        var delivery = new ContiguousDelivery<TSink>(sink);
        int frames = ReceiveFrames(ref delivery, budget);
        RefillRx();
        PushRxBuffers();
        return frames;
    }

    /// <summary>
    /// Like <see cref="ReceiveBatch{TSink}(TSink, int)"/>, but hands each frame over as it lies in
    /// its pages (no copy for multi-slot frames) together with its offload metadata.
    /// </summary>
    public int ReceiveSegments<TSink>(TSink sink, int budget = 64) where TSink : IRxFrameSink
    {
        ThrowIfBroken();
        if (sink is null) // not ThrowIfNull: that would box a struct sink on every batch
        {
            throw new ArgumentNullException(nameof(sink));
        }
        _rxHeld = false;
        var delivery = new SegmentsDelivery<TSink>(sink);
        int frames = ReceiveFrames(ref delivery, budget);
        RefillRx();
        PushRxBuffers();
        return frames;
    }

    /// <summary>
    /// <see cref="ReceiveSegments{TSink}(TSink, int)"/> with the sink passed by reference (the
    /// driver's work struct keeps what its <c>OnFrame</c> did).
    /// </summary>
    internal int ReceiveSegments<TSink>(ref TSink sink, int budget) where TSink : IRxFrameSink
    {
        ThrowIfBroken();
        _rxHeld = false;
        var delivery = new SegmentsRefDelivery<TSink>(ref sink);
        int frames = ReceiveFrames(ref delivery, budget);
        RefillRx();
        PushRxBuffers();
        return frames;
    }

    /// <summary>
    /// Returns the next received frame, or false when none is complete. The span is valid until the
    /// next receive call on this queue, which re-posts its buffer. Buffers are pushed to the backend
    /// in batches and whenever this returns false, so call it until it does.
    /// </summary>
    public bool TryReceive(out ReadOnlySpan<byte> frame)
    {
        ThrowIfBroken();
        _rxHeld = false;
        RefillRx();
        var held = new HeldFrame();
        if (ReceiveFrames(ref held, 1) == 1)
        {
            frame = held.Frame;
            _rxHeld = true; // its slots are re-posted by the next call
            if (_rxUnpushed >= 64)
            {
                PushRxBuffers();
            }
            return true;
        }
        PushRxBuffers();
        frame = default;
        return false;
    }

    /// <summary>
    /// The receive loop of all three (<c>xennet_poll</c>): takes complete frames from
    /// <c>rsp_cons</c> until <paramref name="budget"/> frames were delivered or the published
    /// responses run out (or end inside a frame), hands each to <paramref name="delivery"/>, and
    /// consumes its slots. The slots of a dropped frame are re-posted at once (not pushed); those
    /// of delivered frames are left to the caller, which may still be holding the last one.
    /// Generic over the delivery, passed by reference: see <see cref="IRxDelivery"/>.
    /// </summary>
    private int ReceiveFrames<TDelivery>(ref TDelivery delivery, int budget) where TDelivery : IRxDelivery, allows ref struct
    {
        int frames = 0;
        uint prod = ReadRxProducer();
        while (frames < budget && _rx.RspCons != prod)
        {
            RxOutcome outcome = TakeFrame(prod, out uint slots);
            if (outcome == RxOutcome.Incomplete)
            {
                break;
            }
            if (outcome == RxOutcome.Frame)
            {
                delivery.Deliver(this);
                frames++;
            }
            _rx.RspCons += slots;
            if (outcome == RxOutcome.Dropped)
            {
                RefillRx();
            }
        }
        if (!EventSuppression && frames > 0 && !_rxWaitingForChain)
        {
            // Event suppression off: ask for a call at the very next response, busy or not.
            _rx.SetResponseEvent(_rx.RspCons + 1);
        }
        return frames;
    }

    /// <summary>
    /// RING_PUSH_REQUESTS_AND_CHECK_NOTIFY on the RX ring: publishes re-posted buffers and kicks the
    /// backend only if it is waiting for them (<c>feature-rx-notify</c>). Returns whether it kicked.
    /// </summary>
    public bool PushRxBuffers()
    {
        if (_rxUnpushed == 0)
        {
            return false;
        }
        _rxUnpushed = 0;
        if (!_rx.PushRequestsAndCheckNotify() && EventSuppression)
        {
            return false;
        }
        EventChannel.Notify(_rxKick.Fd);
        Counters.RxKicks++;
        return true;
    }

    /// <summary>
    /// RING_FINAL_CHECK_FOR_RESPONSES on the RX ring: asks for an RX call at the next response and
    /// looks once more; true when there is work (receive instead of sleeping). While a multi-slot
    /// frame is only partly published, it asks to be woken when more arrives instead.
    /// </summary>
    public bool FinalCheckForRxResponses()
    {
        ThrowIfBroken();
        if (!_rxWaitingForChain)
        {
            return _rx.FinalCheckForResponses();
        }
        // The rest of a chain is missing: an event at cons+1 would fire at once, so arm past what
        // has been seen (netback's RX does the same with req_event = prod + needed).
        _rx.SetResponseEvent(_rxSeenProd + 1);
        return _rx.ReadResponseProducer() != _rxSeenProd;
    }

    /// <summary>Kicks the RX channel once, e.g. right after connecting so the backend looks at its ring.</summary>
    internal void KickRx()
    {
        EventChannel.Notify(_rxKick.Fd);
        Counters.RxKicks++;
    }

    private uint ReadRxProducer()
    {
        uint prod = _rx.ReadResponseProducer(); // acquire: responses up to prod are visible
        if (_rx.ResponseProducerOverflow(prod))
        {
            Break($"RX rsp_prod {prod} is more than {_rx.Size} ahead of rsp_cons {_rx.RspCons}");
        }
        _rxWaitingForChain = false;
        return prod;
    }

    /// <summary>
    /// Posts a buffer in every free request slot (<c>xennet_alloc_rx_buffers</c>); not while a frame
    /// handed out by <see cref="TryReceive"/> still uses its pages.
    /// </summary>
    private void RefillRx()
    {
        if (_rxHeld)
        {
            return;
        }
        uint free = _rx.FreeRequests;
        for (uint n = 0; n < free; n++)
        {
            uint slot = _rx.ReqProdPvt & _rxMask;
            _rx.Produce(new NetifRxRequest { Id = (ushort)slot, Gref = _rxDataGref + slot });
        }
        _rxUnpushed += (int)free;
    }

    /// <summary>
    /// Parses the frame starting at <c>rsp_cons</c> (<c>xennet_get_responses</c>) without consuming
    /// it or copying its data: each response is copied once and checked against its slot and page,
    /// the data ranges are recorded as segments, the first slot's csum flags and the extras after it
    /// give the offload metadata. <paramref name="slots"/> is how many ring slots it spans. Counters
    /// change only for a finished outcome, so an incomplete frame parsed again is not counted twice.
    /// </summary>
    private RxOutcome TakeFrame(uint prod, out uint slots)
    {
        uint cons = _rx.RspCons;
        uint idx = cons;
        _rxSegmentCount = 0;
        _rxLength = 0;
        var offload = default(FrameOffload);
        int ignored = 0;
        RxDrop drop = RxDrop.None;
        while (true)
        {
            if (idx == prod)
            {
                return Incomplete(prod, out slots); // the chain continues beyond rsp_prod
            }
            NetifRxResponse rsp = _rx.CopyResponse(idx); // RING_COPY_RESPONSE: read the slot once
            uint slot = idx & _rxMask;
            bool first = idx == cons;
            idx++;
            var flags = (NetRxFlags)rsp.Flags;
            if (drop == RxDrop.None)
            {
                drop = AcceptSlot(rsp, slot);
            }
            if (first)
            {
                // The csum flags; a GSO extra, if announced, is checked and added by ReadExtras.
                offload = FrameOffload.FromRx(flags, default);
            }
            if ((flags & NetRxFlags.ExtraInfo) != 0)
            {
                // xennet_get_extras: only the first response may announce extras.
                RxDrop extraDrop = first ? RxDrop.None : RxDrop.BadExtra;
                if (!ReadExtras(prod, ref idx, ref offload, ref extraDrop, ref ignored))
                {
                    return Incomplete(prod, out slots);
                }
                if (drop == RxDrop.None)
                {
                    drop = extraDrop;
                }
            }
            if ((flags & NetRxFlags.MoreData) == 0)
            {
                break;
            }
            if (idx - cons >= MaxRxSlots && drop == RxDrop.None)
            {
                drop = RxDrop.Oversize;
            }
        }
        slots = idx - cons;
        Counters.RxExtrasIgnored += ignored;
        if (drop != RxDrop.None)
        {
            CountDrop(drop);
            _rxSegmentCount = 0;
            _rxLength = 0;
            return RxOutcome.Dropped;
        }
        _rxOffload = offload;
        if (offload.IsGso)
        {
            Counters.RxGsoPackets++;
        }
        Counters.RxPackets++;
        Counters.RxBytes += _rxLength;
        return RxOutcome.Frame;
    }

    private RxOutcome Incomplete(uint prod, out uint slots)
    {
        _rxWaitingForChain = true;
        _rxSeenProd = prod;
        slots = 0;
        return RxOutcome.Incomplete;
    }

    /// <summary>
    /// Validates one data response and records its data as a segment (zero-length slots, as a
    /// backend leaves in the slot it kept for an extra, add nothing); anything but
    /// <see cref="RxDrop.None"/> drops the frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RxDrop AcceptSlot(in NetifRxResponse rsp, uint slot)
    {
        if (rsp.Status < 0)
        {
            return RxDrop.StatusError;
        }
        if (rsp.Id != slot)
        {
            // netfront ignores rx ids; ours are the slot index, so a mismatch is a backend bug.
            return RxDrop.BadId;
        }
        int length = rsp.Status;
        if (length > NetifLimits.PageSize || rsp.Offset + length > NetifLimits.PageSize)
        {
            return RxDrop.BadResponse; // would read past the granted page
        }
        if (length == 0)
        {
            return RxDrop.None;
        }
        if (_rxLength + length > MaxRxFrame || _rxSegmentCount == _rxSegments.Length)
        {
            return RxDrop.Oversize;
        }
        _rxSegments[_rxSegmentCount++] = new RxSegment(_rxData + (nint)slot * NetifLimits.PageSize + rsp.Offset, length);
        _rxLength += length;
        return RxDrop.None;
    }

    /// <summary>The parsed frame as it lies in its pages, with its offload metadata (the <see cref="IRxFrameSink"/> path).</summary>
    private RxFrame SegmentedFrame() => new(new ReadOnlySpan<RxSegment>(_rxSegments, 0, _rxSegmentCount), _rxLength, _rxOffload);

    /// <summary>
    /// The parsed frame in one span: its page when it has one segment (zero copy), otherwise
    /// gathered into the scratch buffer (the <see cref="IFrameSink"/> and <see cref="TryReceive"/> path).
    /// </summary>
    private ReadOnlySpan<byte> Contiguous()
    {
        if (_rxSegmentCount == 1)
        {
            return _rxSegments[0].Span;
        }
        int offset = 0;
        for (int i = 0; i < _rxSegmentCount; i++)
        {
            var data = _rxSegments[i].Span;
            data.CopyTo(_rxScratch.AsSpan(offset));
            offset += data.Length;
        }
        return new ReadOnlySpan<byte>(_rxScratch, 0, offset);
    }

    private void CountDrop(RxDrop drop)
    {
        switch (drop)
        {
            case RxDrop.StatusError: Counters.RxDropsStatusError++; break;
            case RxDrop.BadId: Counters.RxDropsBadId++; break;
            case RxDrop.BadResponse: Counters.RxDropsBadResponse++; break;
            case RxDrop.BadExtra: Counters.RxDropsBadExtra++; break;
            default: Counters.RxDropsOversize++; break;
        }
    }

    /// <summary>
    /// Reads the extra-info slots after a response (<c>xennet_get_extras</c>; each slot's posted
    /// page goes unused and is re-posted with the slot). A GSO extra fills in
    /// <paramref name="offload"/> if it is sane and of a type this frontend advertised; multicast,
    /// hash and XDP extras are counted and skipped; an unknown type, a bad GSO extra, or more extras
    /// than there are types set <paramref name="drop"/>. False when the extras run past the
    /// published responses.
    /// </summary>
    private bool ReadExtras(uint prod, ref uint idx, ref FrameOffload offload, ref RxDrop drop, ref int ignored)
    {
        int count = 0;
        while (true)
        {
            if (idx == prod)
            {
                return false;
            }
            NetifRxResponse raw = _rx.CopyResponse(idx++);
            NetifExtraInfo extra = Unsafe.As<NetifRxResponse, NetifExtraInfo>(ref raw);
            if (++count >= (int)XenNetifExtraType.Max)
            {
                drop = RxDrop.BadExtra; // more extras than types: a backend gone wrong
            }
            else if (extra.Type == (byte)XenNetifExtraType.Gso)
            {
                var needed = (XenNetifGsoType)extra.GsoType switch
                {
                    XenNetifGsoType.TcpV4 => OffloadFeatures.Tso4,
                    XenNetifGsoType.TcpV6 => OffloadFeatures.Tso6,
                    _ => OffloadFeatures.None,
                };
                if (needed == OffloadFeatures.None || (_rxOffloads & needed) == 0 || extra.GsoSize == 0 || offload.IsGso)
                {
                    drop = RxDrop.BadExtra; // xennet_set_skb_gso: "GSO size must not be zero", "Bad GSO type"
                }
                else
                {
                    offload = offload with { GsoType = (XenNetifGsoType)extra.GsoType, GsoSize = extra.GsoSize };
                }
            }
            else if (extra.Type is 0 or >= (byte)XenNetifExtraType.Max)
            {
                drop = RxDrop.BadExtra; // "Invalid extra type"
            }
            else
            {
                ignored++;
            }
            if ((extra.Flags & XenNetifExtraFlags.More) == 0)
            {
                return true;
            }
        }
    }
}
