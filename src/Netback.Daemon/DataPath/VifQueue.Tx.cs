using System.Runtime.CompilerServices;
using Netback.Daemon.DataPath;
using Netback.Ring.Abi;
using Netback.Ring.Events;
using Netback.Ring.Interop;

namespace Netback.Daemon.Interface;

/// <summary>
/// Guest TX (frontend → TAP), after netback.c's <c>xenvif_tx_build_gops</c>: copy each slot out of
/// shared memory once (XSA-155), validate the copy, gather a packet's slots, <c>writev</c> it from the
/// mapped pages straight into the TAP, and answer every slot. Fatal errors disable the vif; the
/// rest drop the packet with an error response.
/// </summary>
internal sealed unsafe partial class VifQueue
{
    private readonly NetifTxRequest[] _txSlots = new NetifTxRequest[NetifLimits.FatalSkbSlots];
    private Uio.iovec* _iov;

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
        if (gso && !_vif.GsoNegotiated)
        {
            drop ??= TxDropReason.GsoNotNegotiated;
        }
        else if (!gso && first.Size > _vif.MaxFrameSize)
        {
            drop ??= TxDropReason.Oversize;
        }

        drop ??= TxSpoofCheck(slots, firstLength); // [tx-policy] anti-spoofing, on a private copy of the headers

        short status = NetifStatus.Okay;
        if (drop is null)
        {
            int iovs = 0;
            for (int i = 0; i < slots; i++)
            {
                NetifTxRequest s = _txSlots[i];
                int length = i == 0 ? firstLength : s.Size;
                if (length == 0)
                {
                    continue;
                }
                _iov[iovs].iov_base = PageAddress(s.Gref) + s.Offset;
                _iov[iovs].iov_len = (nuint)length;
                iovs++;
            }
            nint written = Uio.writev(_tapFd, _iov, iovs);
            if (written < 0)
            {
                drop = TxDropReason.TapWriteFailed;
            }
            else
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
}
