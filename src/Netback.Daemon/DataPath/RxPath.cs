using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Netback.Daemon.Diagnostics;
using Netback.Daemon.Interface;
using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Offload;
using Ring.Shared.Rings;

namespace Netback.Daemon.DataPath;

/// <summary>
/// Guest RX (TAP → frontend), after netback's rx.c: read a frame from the TAP straight into the
/// pages the frontend posted (its virtio_net_hdr into a private buffer), then write each response
/// in the same ring slot as its request (Linux netfront relies on it), <c>more_data</c> on all but
/// the last data slot. A GSO frame puts its <c>netif_extra_info</c> in the second slot, so when the
/// frontend takes GSO the page of that slot is never read into. Owned by the queue's worker thread.
/// </summary>
internal sealed unsafe class RxPath<TIo> : IDisposable where TIo : struct, IFrameIo
{
    /// <summary>iovecs per readv: [vnet hdr, ≤ 18 pages], with room to spare.</summary>
    private const int MaxIov = 2 + NetifLimits.NrSlotsMin + 4;

    private readonly VifQueue _queue;
    private readonly QueueCounters _counters;
    private readonly TIo _io;
    /// <summary>
    /// Copies of the posted RX requests, by ring index &amp; mask, valid for [req_cons, _postedEnd):
    /// each request is read from shared memory and checked once, however many frames look at it
    /// before one uses it (with TSO on, every frame needs 18 posted slots but a small one uses 1).
    /// </summary>
    private readonly NetifRxRequest[] _posted;
    private readonly uint _mask;
    private uint _postedEnd;
    /// <summary>The frontend takes GSO frames: slot 1 is reserved for the extra (or a zero-length response).</summary>
    private readonly bool _gso;
    private readonly OffloadFeatures _accepted;
    private Uio.iovec* _iov;
    private VirtioNetHdr* _vnet;
    private readonly ICallNotifier _call;
    /// <summary>Netback:EventSuppression: false calls the frontend on every push and keeps req_event at req_cons + 1.</summary>
    private readonly bool _eventSuppression;
    private int _tapFd = -1;

    public RxPath(VifQueue queue, TIo io)
    {
        _queue = queue;
        _counters = queue.Counters;
        _eventSuppression = queue.Vif.Plan.EventSuppression;
        _call = queue.RxNotifier;
        _io = io;
        var ring = queue.Rx;
        _posted = new NetifRxRequest[ring.Size];
        _mask = ring.Size - 1;
        _postedEnd = ring.ReqCons;
        _gso = queue.Vif.Offloads.RxGso;
        _accepted = queue.Vif.Offloads.Rx;
        SlotsPerFrame = _gso ? NetifLimits.NrSlotsMin : SlotsFor(queue.Vif.Mtu);
        _iov = (Uio.iovec*)NativeMemory.AllocZeroed((nuint)(MaxIov * sizeof(Uio.iovec)));
        _vnet = (VirtioNetHdr*)NativeMemory.AllocZeroed((nuint)sizeof(VirtioNetHdr));
    }

    /// <summary>Posted slots one frame may need: the TAP is read only while this many are posted.</summary>
    public uint SlotsPerFrame { get; }

    /// <summary>True once a fatal frontend error disabled the vif: the worker stops.</summary>
    public bool Failed { get; private set; }

    /// <summary>The TAP queue fd this path uses, valid while the worker holds its lease.</summary>
    public void Bind(int tapFd) => _tapFd = tapFd;

    /// <summary>Pages needed for the largest frame the TAP can hand us.</summary>
    private static uint SlotsFor(int mtu) =>
        (uint)((NetifLimits.MaxFrameSize(mtu) + NetifLimits.PageSize - 1) / NetifLimits.PageSize);

    /// <summary>Are enough buffers posted for a frame? If not, asks to be kicked when they are (xenvif_rx_ring_slots_available).</summary>
    public bool HaveBuffers()
    {
        var ring = _queue.Rx;
        if (ring.UnconsumedRequests() >= SlotsPerFrame)
        {
            return true;
        }
        _counters.RxNoBuffers++;
        ring.SetRequestEvent(ring.ReqCons + SlotsPerFrame);
        return ring.UnconsumedRequests() >= SlotsPerFrame;
    }

    /// <summary>Moves up to <paramref name="budget"/> frames from the TAP to the guest; returns how many were read.</summary>
    public int Action(int budget)
    {
        var ring = _queue.Rx;
        int frames = 0;
        bool produced = false;
        while (frames < budget)
        {
            uint prod = ring.ReadRequestProducer();
            if (ring.RequestProducerOverflow(prod))
            {
                Fail(FatalReason.ImpossibleRequestCount,
                    $"rx req_prod {prod} req_cons {ring.ReqCons} rsp_prod_pvt {ring.RspProdPvt} ring size {ring.Size}");
                return frames;
            }
            if (ring.UnconsumedRequests(prod) < SlotsPerFrame)
            {
                break; // not enough buffers posted: the worker waits for an RX kick
            }
            uint cons = ring.ReqCons;
            int slots = (int)SlotsPerFrame;
            _iov[0].iov_base = _vnet;
            _iov[0].iov_len = (nuint)VirtioNetHdr.Size;
            int iovs = 1;
            while (_postedEnd - cons < (uint)slots)
            {
                NetifRxRequest req = ring.CopyRequest(_postedEnd);
                if (!_queue.IsDataGref(req.Gref))
                {
                    Fail(FatalReason.BadGref, $"rx slot gref {req.Gref} outside data pages {_queue.DataPageFirst}..{_queue.PageCount - 1}");
                    return frames;
                }
                _posted[_postedEnd & _mask] = req;
                _postedEnd++;
            }
            for (int i = 0; i < slots; i++)
            {
                NetifRxRequest req = _posted[(cons + (uint)i) & _mask];
                if (_gso && i == 1)
                {
                    continue; // the extra-info slot: its page stays unused
                }
                _iov[iovs].iov_base = _queue.PageAddress(req.Gref);
                _iov[iovs].iov_len = NetifLimits.PageSize;
                iovs++;
            }
            nint n = _io.Read(_tapFd, _iov, iovs);
            _counters.TapReads++;
            if (n <= 0)
            {
                _counters.TapReadsEmpty += n == 0 || NativeError.LastErrno == NativeError.EAGAIN ? 1 : 0;
                if (n < 0 && NativeError.LastErrno != NativeError.EAGAIN)
                {
                    _counters.RxErrors++;
                }
                break; // EAGAIN: the TAP is empty
            }
            frames++;
            int length = (int)n - VirtioNetHdr.Size;
            if (length <= 0)
            {
                _counters.RxErrors++; // no frame behind the header: the buffers stay posted
                continue;
            }
            // The kernel's virtio_net_hdr in Xen's terms (netback's rx.c); what this frontend did not
            // accept or Xen cannot express (UDP GSO, ECN, a zero MSS) is dropped.
            if (NetifOffload.FromVirtio(*_vnet, _accepted, RingKind.Rx, out FrameOffload offload) != NetifOffloadResult.Mapped)
            {
                _counters.RxOffloadDrops++;
                continue;
            }
            Respond(cons, length, offload.RxFlags, offload.GsoExtra);
            produced = true;
            _counters.RxPackets++;
            _counters.RxBytes += length;
        }
        if (produced && PushResponses(ring))
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
        return frames;
    }

    /// <summary>
    /// Writes a frame's responses into the slots of the requests it was read into and consumes them.
    /// Data page k sits in slot k, or k + 1 when slot 1 is reserved (GSO accepted): that slot then
    /// holds the GSO extra, or for a plain frame that continues an empty data response.
    /// </summary>
    private void Respond(uint cons, int length, NetRxFlags flags, NetifExtraInfo extra)
    {
        var ring = _queue.Rx;
        int pages = (length + NetifLimits.PageSize - 1) / NetifLimits.PageSize;
        bool gso = (flags & NetRxFlags.ExtraInfo) != 0;
        int used = _gso && (gso || pages > 1) ? pages + 1 : pages;
        int left = length;
        for (int slot = 0; slot < used; slot++)
        {
            uint idx = cons + (uint)slot;
            bool last = slot == used - 1;
            if (_gso && slot == 1)
            {
                if (gso)
                {
                    ring.WriteResponse(idx, Unsafe.As<NetifExtraInfo, NetifRxResponse>(ref extra));
                }
                else
                {
                    ring.WriteResponse(idx, new NetifRxResponse { Id = _posted[idx & _mask].Id, Flags = (ushort)NetRxFlags.MoreData });
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
            ring.WriteResponse(idx, new NetifRxResponse
            {
                Id = _posted[idx & _mask].Id,
                Offset = 0,
                Flags = (ushort)rspFlags,
                Status = (short)chunk,
            });
        }
        if (gso)
        {
            _counters.RxGsoFrames++;
        }
        if ((flags & NetRxFlags.CsumBlank) != 0)
        {
            _counters.RxCsumBlankFrames++;
        }
        // Responses sit in their requests' slots, so the response producer follows req_cons.
        ring.ReqCons = cons + (uint)used;
        ring.RspProdPvt = ring.ReqCons;
    }

    private void Fail(FatalReason reason, string detail)
    {
        Failed = true;
        _queue.Vif.FatalError(_queue.Index, reason, detail);
    }

    /// <summary>
    /// Publishes the responses; true when the frontend is to be called. With event suppression (ring.h)
    /// only if its rsp_event asks; without, always, and req_event is re-armed at req_cons + 1 so the
    /// frontend kicks for its next request even while this worker is busy.
    /// </summary>
    private bool PushResponses(BackRing<NetifRxRequest, NetifRxResponse> ring)
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
        if (_iov != null)
        {
            NativeMemory.Free(_iov);
            NativeMemory.Free(_vnet);
            _iov = null;
            _vnet = null;
        }
    }
}
