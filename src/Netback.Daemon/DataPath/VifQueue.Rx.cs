using System.Runtime.CompilerServices;
using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Offload;

namespace Netback.Daemon.Interface;

/// <summary>
/// Guest RX (TAP → frontend), after netback's rx.c: read a frame from the TAP straight into the
/// pages the frontend posted (its virtio_net_hdr into a private buffer), then write each response
/// in the same ring slot as its request (Linux netfront relies on it), <c>more_data</c> on all but
/// the last data slot. A GSO frame puts its <c>netif_extra_info</c> in the second slot, so when the
/// frontend takes GSO the page of that slot is never read into.
/// </summary>
internal sealed unsafe partial class VifQueue
{
    /// <summary>
    /// Copies of the posted RX requests, by ring index &amp; mask, valid for [req_cons, _rxPostedEnd):
    /// each request is read from shared memory and checked once, however many frames look at it
    /// before one uses it (with TSO on, every frame needs 18 posted slots but a small one uses 1).
    /// </summary>
    private readonly NetifRxRequest[] _rxPosted;
    private readonly uint _rxMask;
    private uint _rxPostedEnd;
    private readonly uint _rxSlotsPerFrame;
    /// <summary>The frontend takes GSO frames: slot 1 is reserved for the extra (or a zero-length response).</summary>
    private readonly bool _rxGso;
    private VirtioNetHdr* _rxVnet;
    /// <summary>Null data path (benchmarks): where guest RX frames come from instead of the TAP.</summary>
    private readonly NullRxSource? _nullRx;

    /// <summary>Pages needed for the largest frame the TAP can hand us (MTU + Ethernet + VLAN header).</summary>
    private static uint RxSlotsFor(int mtu) =>
        (uint)((mtu + NetifLimits.EthHeaderLength + 4 + NetifLimits.PageSize - 1) / NetifLimits.PageSize);

    /// <summary>Moves up to <paramref name="budget"/> frames from the TAP to the guest; returns how many were read.</summary>
    private int RxAction(int budget)
    {
        int frames = 0;
        bool produced = false;
        while (frames < budget)
        {
            uint prod = _rx.ReadRequestProducer();
            if (_rx.RequestProducerOverflow(prod))
            {
                Fatal(DataPath.FatalReason.ImpossibleRequestCount,
                    $"rx req_prod {prod} req_cons {_rx.ReqCons} rsp_prod_pvt {_rx.RspProdPvt} ring size {_rx.Size}");
                return frames;
            }
            if (_rx.UnconsumedRequests(prod) < _rxSlotsPerFrame)
            {
                break; // not enough buffers posted: the worker waits for an RX kick
            }
            uint cons = _rx.ReqCons;
            int slots = (int)_rxSlotsPerFrame;
            _iov[0].iov_base = _rxVnet;
            _iov[0].iov_len = (nuint)VirtioNetHdr.Size;
            int iovs = 1;
            while (_rxPostedEnd - cons < (uint)slots)
            {
                NetifRxRequest req = _rx.CopyRequest(_rxPostedEnd);
                if (!IsDataGref(req.Gref))
                {
                    Fatal(DataPath.FatalReason.BadGref, $"rx slot gref {req.Gref} outside data pages {_dataPageFirst}..{_pageCount - 1}");
                    return frames;
                }
                _rxPosted[_rxPostedEnd & _rxMask] = req;
                _rxPostedEnd++;
            }
            for (int i = 0; i < slots; i++)
            {
                NetifRxRequest req = _rxPosted[(cons + (uint)i) & _rxMask];
                if (_rxGso && i == 1)
                {
                    continue; // the extra-info slot: its page stays unused
                }
                _iov[iovs].iov_base = PageAddress(req.Gref);
                _iov[iovs].iov_len = NetifLimits.PageSize;
                iovs++;
            }
            nint n = _nullRx is null ? Uio.readv(_tapFd, _iov, iovs) : _nullRx.Read(_iov);
            if (n <= 0)
            {
                if (n < 0 && NativeError.LastErrno != NativeError.EAGAIN)
                {
                    Counters.RxErrors++;
                }
                break; // EAGAIN: the TAP is empty
            }
            frames++;
            int length = (int)n - VirtioNetHdr.Size;
            if (length <= 0)
            {
                Counters.RxErrors++; // no frame behind the header: the buffers stay posted
                continue;
            }
            if (!RxTranslate(_rxVnet, out NetRxFlags flags, out NetifExtraInfo extra))
            {
                Counters.RxOffloadDrops++;
                continue;
            }
            RxRespond(cons, length, flags, extra);
            produced = true;
            Counters.RxPackets++;
            Counters.RxBytes += length;
        }
        if (produced && _rx.PushResponsesAndCheckNotify())
        {
            EventChannel.Notify(_rxCallFd);
            Counters.NotificationsSent++;
        }
        return frames;
    }

    /// <summary>
    /// The kernel's virtio_net_hdr in Xen's terms (netback's rx.c): NEEDS_CSUM → csum_blank and
    /// data_validated, DATA_VALID → data_validated, TCP GSO → a GSO extra. False for what this
    /// frontend did not accept or Xen cannot express (UDP GSO, ECN, size 0): the frame is dropped.
    /// </summary>
    private bool RxTranslate(VirtioNetHdr* h, out NetRxFlags flags, out NetifExtraInfo extra)
    {
        flags = NetRxFlags.None;
        extra = default;
        var accepted = _vif.Offloads.Rx;
        if ((h->Flags & VirtioNetHdr.FlagNeedsCsum) != 0)
        {
            if ((accepted & OffloadFeatures.Csum) == 0)
            {
                return false;
            }
            flags = NetRxFlags.CsumBlank | NetRxFlags.DataValidated;
        }
        else if ((h->Flags & VirtioNetHdr.FlagDataValid) != 0)
        {
            flags = NetRxFlags.DataValidated;
        }
        if (h->GsoType == VirtioNetHdr.GsoNone)
        {
            return true;
        }
        XenNetifGsoType type;
        if (h->GsoType == VirtioNetHdr.GsoTcpV4 && (accepted & OffloadFeatures.Tso4) != 0)
        {
            type = XenNetifGsoType.TcpV4;
        }
        else if (h->GsoType == VirtioNetHdr.GsoTcpV6 && (accepted & OffloadFeatures.Tso6) != 0)
        {
            type = XenNetifGsoType.TcpV6;
        }
        else
        {
            return false; // UDP, ECN, or TCP GSO the frontend did not ask for
        }
        if (h->GsoSize == 0)
        {
            return false; // the frontend would have to treat a zero MSS as fatal
        }
        flags |= NetRxFlags.ExtraInfo;
        extra = new NetifExtraInfo { Type = (byte)XenNetifExtraType.Gso, GsoSize = h->GsoSize, GsoType = (byte)type };
        return true;
    }

    /// <summary>
    /// Writes a frame's responses into the slots of the requests it was read into and consumes them.
    /// Data page k sits in slot k, or k + 1 when slot 1 is reserved (GSO accepted): that slot then
    /// holds the GSO extra, or for a plain frame that continues an empty data response.
    /// </summary>
    private void RxRespond(uint cons, int length, NetRxFlags flags, NetifExtraInfo extra)
    {
        int pages = (length + NetifLimits.PageSize - 1) / NetifLimits.PageSize;
        bool gso = (flags & NetRxFlags.ExtraInfo) != 0;
        int used = _rxGso && (gso || pages > 1) ? pages + 1 : pages;
        int left = length;
        for (int slot = 0; slot < used; slot++)
        {
            uint idx = cons + (uint)slot;
            bool last = slot == used - 1;
            if (_rxGso && slot == 1)
            {
                if (gso)
                {
                    _rx.WriteResponse(idx, Unsafe.As<NetifExtraInfo, NetifRxResponse>(ref extra));
                }
                else
                {
                    _rx.WriteResponse(idx, new NetifRxResponse { Id = _rxPosted[idx & _rxMask].Id, Flags = (ushort)NetRxFlags.MoreData });
                }
                continue;
            }
            int chunk = Math.Min(left, NetifLimits.PageSize);
            left -= chunk;
            var rspFlags = last ? NetRxFlags.None : NetRxFlags.MoreData;
            if (slot == 0)
            {
                // Checksum and extra-info flags go on the first response only; with a GSO frame
                // of one page, more_data is off though the extra follows.
                rspFlags = (pages > 1 ? NetRxFlags.MoreData : NetRxFlags.None) | flags;
            }
            _rx.WriteResponse(idx, new NetifRxResponse
            {
                Id = _rxPosted[idx & _rxMask].Id,
                Offset = 0,
                Flags = (ushort)rspFlags,
                Status = (short)chunk,
            });
        }
        if (gso)
        {
            Counters.RxGsoFrames++;
        }
        if ((flags & NetRxFlags.CsumBlank) != 0)
        {
            Counters.RxCsumBlankFrames++;
        }
        // Responses sit in their requests' slots, so the response producer follows req_cons.
        _rx.ReqCons = cons + (uint)used;
        _rx.RspProdPvt = _rx.ReqCons;
    }
}
