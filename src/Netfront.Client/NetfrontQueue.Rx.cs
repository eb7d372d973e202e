using System.Runtime.CompilerServices;
using Netback.Ring.Abi;
using Netback.Ring.Events;

namespace Netfront.Client;

/// <summary>
/// Guest RX, after xen-netfront.c's <c>xennet_alloc_rx_buffers</c> and <c>xennet_poll</c>: the ring is
/// kept full of posted buffers, request <c>i</c> in ring slot <c>i &amp; (size-1)</c> with id = that
/// slot and gref = that id's RX data page (<c>xennet_rxidx</c>). The backend answers in the same slot,
/// so a consumed response frees exactly the slot the next request reuses.
/// </summary>
public sealed unsafe partial class NetfrontQueue
{
    /// <summary>Largest frame gathered from several slots (the per-queue scratch buffer).</summary>
    public const int MaxRxFrame = 64 * 1024;

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
    }

    private readonly uint _rxDataGref;
    private readonly byte* _rxData;
    private readonly byte[] _rxScratch = new byte[MaxRxFrame];
    private uint _rxMask;
    private bool _rxHeld;
    private int _rxUnpushed;
    private bool _rxWaitingForChain;
    private uint _rxSeenProd;

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
        int frames = 0;
        uint prod = ReadRxProducer();
        while (frames < budget && _rx.RspCons != prod)
        {
            RxOutcome outcome = TakeFrame(prod, out ReadOnlySpan<byte> frame, out uint slots);
            if (outcome == RxOutcome.Incomplete)
            {
                break;
            }
            if (outcome == RxOutcome.Frame)
            {
                sink.OnFrame(frame);
                frames++;
            }
            _rx.RspCons += slots;
        }
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
        uint prod = ReadRxProducer();
        while (_rx.RspCons != prod)
        {
            RxOutcome outcome = TakeFrame(prod, out frame, out uint slots);
            if (outcome == RxOutcome.Incomplete)
            {
                break;
            }
            _rx.RspCons += slots;
            if (outcome == RxOutcome.Frame)
            {
                _rxHeld = true; // its slots are re-posted by the next call
                if (_rxUnpushed >= 64)
                {
                    PushRxBuffers();
                }
                return true;
            }
            RefillRx();
        }
        PushRxBuffers();
        frame = default;
        return false;
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
        if (!_rx.PushRequestsAndCheckNotify())
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
    /// it: each response is copied once, checked against its slot and page, and a chained frame is
    /// gathered into the scratch buffer. <paramref name="slots"/> is how many ring slots it spans.
    /// Counters change only for a finished outcome, so an incomplete frame parsed again is not
    /// counted twice.
    /// </summary>
    private RxOutcome TakeFrame(uint prod, out ReadOnlySpan<byte> frame, out uint slots)
    {
        frame = default;
        uint cons = _rx.RspCons;
        uint idx = cons;
        int total = 0;
        int extras = 0;
        RxDrop drop = RxDrop.None;
        bool chained = false;
        while (true)
        {
            if (idx == prod)
            {
                return Incomplete(prod, out slots); // the chain continues beyond rsp_prod
            }
            NetifRxResponse rsp = _rx.CopyResponse(idx); // RING_COPY_RESPONSE: read the slot once
            uint slot = idx & _rxMask;
            idx++;
            var flags = (NetRxFlags)rsp.Flags;
            if (idx - cons == 1)
            {
                chained = (flags & NetRxFlags.MoreData) != 0;
            }
            if (drop == RxDrop.None)
            {
                drop = AcceptSlot(rsp, slot, chained, ref total, ref frame);
            }
            if ((flags & NetRxFlags.ExtraInfo) != 0 && !SkipExtras(prod, ref idx, ref extras))
            {
                return Incomplete(prod, out slots);
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
        Counters.RxExtrasIgnored += extras;
        if (drop != RxDrop.None)
        {
            CountDrop(drop);
            frame = default;
            return RxOutcome.Dropped;
        }
        if (chained)
        {
            frame = new ReadOnlySpan<byte>(_rxScratch, 0, total);
        }
        Counters.RxPackets++;
        Counters.RxBytes += frame.Length;
        return RxOutcome.Frame;
    }

    private RxOutcome Incomplete(uint prod, out uint slots)
    {
        _rxWaitingForChain = true;
        _rxSeenProd = prod;
        slots = 0;
        return RxOutcome.Incomplete;
    }

    /// <summary>Validates one data response; anything but <see cref="RxDrop.None"/> drops the frame.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private RxDrop AcceptSlot(in NetifRxResponse rsp, uint slot, bool chained, ref int total, ref ReadOnlySpan<byte> frame)
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
        byte* data = _rxData + (nint)slot * NetifLimits.PageSize + rsp.Offset;
        if (!chained)
        {
            frame = new ReadOnlySpan<byte>(data, length); // zero copy: the frame is in its page
            total = length;
            return RxDrop.None;
        }
        if (total + length > MaxRxFrame)
        {
            return RxDrop.Oversize;
        }
        new ReadOnlySpan<byte>(data, length).CopyTo(_rxScratch.AsSpan(total));
        total += length;
        return RxDrop.None;
    }

    private void CountDrop(RxDrop drop)
    {
        switch (drop)
        {
            case RxDrop.StatusError: Counters.RxDropsStatusError++; break;
            case RxDrop.BadId: Counters.RxDropsBadId++; break;
            case RxDrop.BadResponse: Counters.RxDropsBadResponse++; break;
            default: Counters.RxDropsOversize++; break;
        }
    }

    /// <summary>
    /// Steps over extra-info slots (<c>xennet_get_extras</c>): none were negotiated, so they are
    /// only counted. False when the extras run past the published responses.
    /// </summary>
    private bool SkipExtras(uint prod, ref uint idx, ref int extras)
    {
        while (true)
        {
            if (idx == prod)
            {
                return false;
            }
            NetifRxResponse raw = _rx.CopyResponse(idx++);
            NetifExtraInfo extra = Unsafe.As<NetifRxResponse, NetifExtraInfo>(ref raw);
            extras++;
            if ((extra.Flags & XenNetifExtraFlags.More) == 0)
            {
                return true;
            }
        }
    }
}
