using System.Runtime.CompilerServices;
using Netback.Daemon.DataPath;
using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Offload;

namespace Netback.Daemon.Interface;

/// <summary>
/// Guest TX (frontend → TAP), after netback.c's <c>xenvif_tx_build_gops</c>: copy each slot out of
/// shared memory once (XSA-155), validate the copy, gather a packet's slots, <c>writev</c> it from the
/// mapped pages straight into the TAP, and answer every slot. Fatal errors disable the vif; the
/// rest drop the packet with an error response.
/// </summary>
internal sealed unsafe partial class VifQueue
{
    /// <summary>Bytes of a frame copied out for parsing (netback copies its first 128 and pulls more as needed).</summary>
    private const int HeaderCopySize = SpoofFilter.HeaderBytes;
    /// <summary>tx-copy=bounce: room for the largest frame (XEN_NETIF_MAX_TX_SIZE).</summary>
    private const int BounceCopySize = 64 * 1024;

    private readonly NetifTxRequest[] _txSlots = new NetifTxRequest[NetifLimits.FatalSkbSlots];
    private Uio.iovec* _iov;
    private VirtioNetHdr* _txVnet;
    /// <summary>
    /// The frame's first bytes (direct) or all of it (bounce), private to this queue: what is parsed
    /// is what the kernel reads, whatever the frontend writes to its pages meanwhile.
    /// </summary>
    private byte* _txCopy;
    private readonly int _txCopyCapacity;

    /// <summary>Processes up to <paramref name="budget"/> packets; returns how many.</summary>
    private int TxAction(int budget)
    {
        int packets = 0;
        bool responded = false;
        _txRateLimited = false; // [tx-policy] rate=
        while (packets < budget)
        {
            uint prod = _tx.ReadRequestProducer();
            if (_tx.RequestProducerOverflow(prod))
            {
                Fatal(FatalReason.ImpossibleRequestCount,
                    $"req_prod {prod} req_cons {_tx.ReqCons} rsp_prod_pvt {_tx.RspProdPvt} ring size {_tx.Size}");
                return packets;
            }
            uint work = _tx.UnconsumedRequests(prod);
            if (work == 0)
            {
                break;
            }
            if (!TxPacket(work))
            {
                return packets; // fatal: the vif is disabled, publish nothing more
            }
            if (_txRateLimited)
            {
                break; // [tx-policy] rate=: out of credit, the packet stays on the ring
            }
            responded = true;
            packets++;
        }
        if (responded && _tx.PushResponsesAndCheckNotify())
        {
            EventChannel.Notify(_txCallFd);
            Counters.NotificationsSent++;
        }
        return packets;
    }

    /// <summary>Builds, sends and answers one packet starting at req_cons. False when fatal.</summary>
    private bool TxPacket(uint work)
    {
        uint cons = _tx.ReqCons;
        NetifTxRequest first = _tx.CopyRequest(cons++);
        work--;
        if (!TxCreditAvailable(first.Size))
        {
            return true; // [tx-policy] rate=: nothing consumed (req_cons unchanged), see VifQueue.TxPolicy.cs
        }

        // Extra-info slots (xenvif_get_extras): each is a whole TX slot, answered NETIF_RSP_NULL.
        int extraCount = 0;
        bool gso = false;
        NetifExtraInfo gsoExtra = default;
        if (((NetTxFlags)first.Flags & NetTxFlags.ExtraInfo) != 0)
        {
            byte more;
            do
            {
                if (work == 0)
                {
                    Fatal(FatalReason.MissingSlots, $"missing extra info slot at req_cons {cons}");
                    return false;
                }
                NetifTxRequest raw = _tx.CopyRequest(cons++);
                work--;
                extraCount++;
                NetifExtraInfo extra = Unsafe.As<NetifTxRequest, NetifExtraInfo>(ref raw);
                if (extra.Type is (byte)XenNetifExtraType.None or >= (byte)XenNetifExtraType.Max)
                {
                    Fatal(FatalReason.BadExtraType, $"extra info type {extra.Type}");
                    return false;
                }
                if (extra.Type == (byte)XenNetifExtraType.Gso)
                {
                    if (extra.GsoSize == 0 || extra.GsoType is not ((byte)XenNetifGsoType.TcpV4 or (byte)XenNetifGsoType.TcpV6))
                    {
                        Fatal(FatalReason.BadGso, $"GSO size {extra.GsoSize} type {extra.GsoType}");
                        return false;
                    }
                    gso = true;
                    gsoExtra = extra;
                }
                more = (byte)(extra.Flags & XenNetifExtraFlags.More);
            }
            while (more != 0);
        }

        // Data slots chained by more_data (xenvif_count_requests).
        int slots = 1;
        _txSlots[0] = first;
        NetifTxRequest last = first;
        while (((NetTxFlags)last.Flags & NetTxFlags.MoreData) != 0)
        {
            if (work == 0)
            {
                Fatal(FatalReason.MissingSlots, $"packet continues past the {slots} published slots");
                return false;
            }
            last = _tx.CopyRequest(cons++);
            work--;
            _txSlots[slots++] = last;
            // fatal_skb_slots: a packet of 20 slots or more is malicious, whether or not it ends here.
            if (slots >= NetifLimits.FatalSkbSlots)
            {
                Fatal(FatalReason.TooManySlots, $"packet uses {slots} or more slots (fatal at {NetifLimits.FatalSkbSlots})");
                return false;
            }
        }

        // Validate every slot's page reference; compute the first slot's share of the total.
        TxDropReason? drop = null;
        int remaining = first.Size;
        for (int i = 0; i < slots; i++)
        {
            NetifTxRequest s = _txSlots[i];
            if (!IsDataGref(s.Gref))
            {
                Fatal(FatalReason.BadGref, $"slot {i} gref {s.Gref} outside data pages {_dataPageFirst}..{_pageCount - 1}");
                return false;
            }
            if (s.Offset + (i == 0 ? 0 : s.Size) > NetifLimits.PageSize)
            {
                Fatal(FatalReason.CrossPageBoundary, $"slot {i} offset {s.Offset} size {s.Size} crosses the page");
                return false;
            }
            if (i > 0)
            {
                if (s.Size > remaining)
                {
                    drop ??= TxDropReason.SlotSizeMismatch;
                }
                else
                {
                    remaining -= s.Size;
                }
            }
        }
        int firstLength = remaining;
        if (first.Offset + firstLength > NetifLimits.PageSize)
        {
            Fatal(FatalReason.CrossPageBoundary, $"first slot offset {first.Offset} length {firstLength} crosses the page");
            return false;
        }
        if (first.Size < NetifLimits.EthHeaderLength)
        {
            drop ??= TxDropReason.Runt;
        }
        if (slots > NetifLimits.NrSlotsMin)
        {
            drop ??= TxDropReason.TooManySlots;
        }
        if (gso && (_vif.Offloads.Tx & (gsoExtra.GsoType == (byte)XenNetifGsoType.TcpV4 ? OffloadFeatures.Tso4 : OffloadFeatures.Tso6)) == 0)
        {
            drop ??= TxDropReason.GsoNotNegotiated;
        }
        else if (!gso && first.Size > _vif.MaxFrameSize)
        {
            drop ??= TxDropReason.Oversize;
        }

        short status = NetifStatus.Okay;
        if (drop is null)
        {
            drop = TxWrite(slots, firstLength, first.Size, (NetTxFlags)first.Flags, gso ? gsoExtra : default);
            if (drop is null)
            {
                Counters.TxPackets++;
                Counters.TxBytes += first.Size;
            }
        }
        if (drop is { } reason)
        {
            Counters.TxDrops[(int)reason]++;
            status = reason == TxDropReason.TapWriteFailed ? NetifStatus.Dropped : NetifStatus.Error;
        }

        // make_tx_response: the first slot, its extras (NULL), then the other data slots.
        _tx.Produce(new NetifTxResponse { Id = first.Id, Status = status });
        for (int i = 0; i < extraCount; i++)
        {
            _tx.Produce(new NetifTxResponse { Id = 0, Status = NetifStatus.Null });
        }
        for (int i = 1; i < slots; i++)
        {
            _tx.Produce(new NetifTxResponse { Id = _txSlots[i].Id, Status = status });
        }
        _tx.ReqCons = cons;
        return true;
    }

    /// <summary>
    /// Writes a validated packet to the TAP: [virtio_net_hdr, private copy of the first bytes, the
    /// rest from the frontend's pages] in one writev. The copy is parsed when the checksum or the
    /// segmentation is left to the host (netback's checksum_setup); null when written.
    /// </summary>
    private TxDropReason? TxWrite(int slots, int firstLength, int total, NetTxFlags flags, NetifExtraInfo gso)
    {
        bool csumBlank = (flags & NetTxFlags.CsumBlank) != 0;
        bool isGso = gso.Type == (byte)XenNetifExtraType.Gso;
        bool parse = csumBlank || isGso;
        // The headers always go out from our copy: what anti-spoofing and the parser checked is
        // exactly what the TAP gets, whatever the frontend writes into its pages meanwhile.
        int copied = _txCopyCapacity == BounceCopySize ? total : Math.Min(total, HeaderCopySize);
        CopyFrameOut(slots, firstLength, copied);
        if (TxSpoofCheck(new ReadOnlySpan<byte>(_txCopy, copied)) is { } spoofed)
        {
            return spoofed;
        }

        VirtioNetHdr* h = _txVnet;
        *h = default;
        if (parse)
        {
            if (!PacketHeaders.TryParse(new ReadOnlySpan<byte>(_txCopy, copied), out var headers))
            {
                return TxDropReason.HeadersUnparsable;
            }
            if (isGso)
            {
                bool v6 = gso.GsoType == (byte)XenNetifGsoType.TcpV6;
                if (headers.Protocol != PacketHeaders.ProtocolTcp || headers.IsIPv6 != v6)
                {
                    return TxDropReason.GsoTypeMismatch;
                }
                if (gso.GsoSize > NetifLimits.MaxTxSize - headers.HeaderLength)
                {
                    return TxDropReason.GsoSizeOutOfRange;
                }
                if (!csumBlank)
                {
                    // A GSO frame with a full checksum: the kernel segments only partial ones, so put
                    // the pseudo-header sum in our copy (netback's recalculate_partial_csum).
                    PseudoHeaderChecksum.Write(new Span<byte>(_txCopy, copied), headers, total);
                }
                h->GsoType = v6 ? VirtioNetHdr.GsoTcpV6 : VirtioNetHdr.GsoTcpV4;
                h->GsoSize = gso.GsoSize;
                h->HdrLen = (ushort)headers.HeaderLength;
            }
            h->Flags = VirtioNetHdr.FlagNeedsCsum;
            h->CsumStart = (ushort)headers.TransportOffset;
            h->CsumOffset = (ushort)headers.ChecksumOffset;
        }
        else if ((flags & NetTxFlags.DataValidated) != 0)
        {
            h->Flags = VirtioNetHdr.FlagDataValid;
        }

        _iov[0].iov_base = h;
        _iov[0].iov_len = (nuint)VirtioNetHdr.Size;
        int iovs = 1;
        if (copied > 0)
        {
            _iov[iovs].iov_base = _txCopy;
            _iov[iovs].iov_len = (nuint)copied;
            iovs++;
        }
        int skip = copied;
        for (int i = 0; i < slots && skip < total; i++)
        {
            NetifTxRequest s = _txSlots[i];
            int length = i == 0 ? firstLength : s.Size;
            if (length <= skip)
            {
                skip -= length;
                continue;
            }
            _iov[iovs].iov_base = PageAddress(s.Gref) + s.Offset + skip;
            _iov[iovs].iov_len = (nuint)(length - skip);
            iovs++;
            skip = 0;
        }
        // Null data path (benchmarks): everything above is done, only the syscall is not.
        if (_nullRx is null && Uio.writev(_tapFd, _iov, iovs) < 0)
        {
            return TxDropReason.TapWriteFailed;
        }
        if (isGso)
        {
            Counters.TxGsoFrames++;
        }
        if (csumBlank)
        {
            Counters.TxCsumBlankFrames++;
        }
        return null;
    }

    /// <summary>Copies the first <paramref name="count"/> bytes of the packet's slots into <see cref="_txCopy"/>.</summary>
    private void CopyFrameOut(int slots, int firstLength, int count)
    {
        int done = 0;
        for (int i = 0; i < slots && done < count; i++)
        {
            NetifTxRequest s = _txSlots[i];
            int length = Math.Min(i == 0 ? firstLength : s.Size, count - done);
            Buffer.MemoryCopy(PageAddress(s.Gref) + s.Offset, _txCopy + done, count - done, length);
            done += length;
        }
    }
}
