using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Offload;
using Ring.Shared.Rings;
using Netfront.Client;
using Tmds.Linux;

namespace Netfront.Cli;

/// <summary>
/// One queue's relay thread (<c>netfront-qN</c>): netfront's TX path and NAPI poll in one epoll loop
/// over the guest TAP queue fd (EPOLLIN only while TX slots are free), the TX and RX call eventfds
/// and the stop eventfd. The TAP is IFF_VNET_HDR (docs/protocol.md "Offloads"). Guest TX:
/// <c>readv(tap, [virtio_net_hdr, granted page 0, page 1, …])</c> straight into granted pages, the
/// header mapped to NETTXF_csum_blank/data_validated and a GSO extra, up to 64 frames per batch,
/// then one push. Guest RX: <c>writev(tap, [virtio_net_hdr, segments…])</c> from the RX pages, the
/// header built from the NETRXF flags and GSO extra; buffers are re-posted and pushed. It sleeps
/// only after ring.h's final checks.
/// </summary>
internal sealed unsafe class RelayWorker : IRxFrameSink
{
    /// <summary>Frames per direction per round, as netfront's NAPI weight.</summary>
    private const int Budget = 64;

    private const ulong TokenStop = 0;
    private const ulong TokenTap = 1;
    private const ulong TokenTxCall = 2;
    private const ulong TokenRxCall = 3;

    private readonly NetfrontQueue _queue;
    private readonly FileDescriptorHandle _tap;
    private readonly EventChannel _stop;
    private readonly Action<string> _onFailure;
    private readonly Thread _thread;
    /// <summary>What the backend accepts on TX: the TAP hands over nothing else (TUNSETOFFLOAD).</summary>
    private readonly OffloadFeatures _txOffloads;
    /// <summary>Granted pages each TAP read goes into.</summary>
    private readonly int _pagesPerFrame;
    /// <summary>Ring slots a read needs free: its pages and a possible GSO extra.</summary>
    private readonly int _slotsPerFrame;
    private int _tapFd = -1;
    private bool _tapMaybeReadable = true;

    /// <summary>Iovecs of a guest-RX write: the header and at most this many segments (the queue's slot bound).</summary>
    private const int MaxRxSegments = NetifLimits.NrSlotsMin + 1;

    public RelayWorker(NetfrontQueue queue, FileDescriptorHandle tap, EventChannel stop, int mtu, OffloadFeatures txOffloads, Action<string> onFailure)
    {
        _queue = queue;
        _tap = tap;
        _stop = stop;
        _onFailure = onFailure;
        _txOffloads = txOffloads.Normalize();
        if ((_txOffloads & (OffloadFeatures.Tso4 | OffloadFeatures.Tso6)) != 0)
        {
            // GSO frames are up to 64 KiB whatever the MTU; the spare page makes an oversized frame
            // visible instead of truncated.
            _pagesPerFrame = NetfrontQueue.MaxTxPages;
        }
        else
        {
            // Ethernet header + a VLAN tag on top of the MTU.
            int maxFrame = Math.Min(NetifLimits.MaxFrameSize(mtu), NetifLimits.MaxTxSize);
            _pagesPerFrame = (maxFrame + NetifLimits.PageSize - 1) / NetifLimits.PageSize;
        }
        _slotsPerFrame = _pagesPerFrame + 1;
        _thread = new Thread(Run) { Name = $"netfront-q{queue.Index}", IsBackground = true };
    }

    /// <summary>Frames the TAP refused (interface down, no buffer).</summary>
    public long TapWriteErrors;

    /// <summary>Guest-TX frames dropped: GSO the backend does not take (UDP, ECN, or not offered) or a zero MSS.</summary>
    public long TxDropsUnsupportedGso;

    /// <summary>Guest-TX frames dropped: shorter than an Ethernet header, or longer than 65535 bytes.</summary>
    public long TxDropsBadLength;

    /// <summary>
    /// Guest-RX frames dropped: csum_blank or GSO on a frame whose headers do not parse as
    /// TCP/UDP over IPv4/IPv6 (netfront's checksum_setup failing), or GSO without csum_blank.
    /// </summary>
    public long RxDropsChecksumSetup;

    public void Start() => _thread.Start();

    public void Join()
    {
        if (_thread.ThreadState != ThreadState.Unstarted)
        {
            _thread.Join();
        }
    }

    private void Run()
    {
        try
        {
            // Raw fds only under a reference held for the thread's life.
            using var tap = new HandleLease(_tap);
            using var stop = new HandleLease(_stop.Handle);
            if (!tap.IsValid || !stop.IsValid)
            {
                return; // torn down before the thread ran
            }
            _tapFd = tap.Value;
            using var epoll = new Epoll();
            epoll.Add(stop.Value, Epoll.In, TokenStop);
            epoll.Add(_tapFd, Epoll.In, TokenTap);
            epoll.Add(_queue.TxCallFd, Epoll.In, TokenTxCall);
            if (_queue.SplitEventChannels)
            {
                epoll.Add(_queue.RxCallFd, Epoll.In, TokenRxCall);
            }
            Loop(epoll);
        }
        catch (Exception e)
        {
            _onFailure($"queue {_queue.Index} relay failed: {e.Message}");
        }
    }

    private void Loop(Epoll epoll)
    {
        Span<epoll_event> events = stackalloc epoll_event[4];
        bool tapArmed = true;
        while (true)
        {
            bool more;
            do
            {
                _queue.ReclaimTxResponses();
                more = _queue.ReceiveSegments(this, Budget) == Budget;
                more |= PumpTap() == Budget;
                _queue.PushTransmits();
            }
            while (more);

            // RING_FINAL_CHECK_FOR_RESPONSES on RX: arm rsp_event, fence, look again.
            if (_queue.FinalCheckForRxResponses())
            {
                continue;
            }
            // TX completions matter only when slots have run out: then stop reading the TAP and ask
            // for a TX call; otherwise responses are reclaimed on the next round anyway.
            bool needSlots = _queue.FreeTxSlots < _slotsPerFrame;
            if (needSlots && _queue.FinalCheckForTxResponses())
            {
                continue;
            }
            if (needSlots == tapArmed)
            {
                epoll.Modify(_tapFd, needSlots ? 0 : Epoll.In, TokenTap);
                tapArmed = !needSlots;
                if (needSlots)
                {
                    _queue.Counters.TxRingFull++;
                }
            }

            int n = epoll.Wait(events, -1);
            _queue.Counters.Wakeups++;
            for (int i = 0; i < n; i++)
            {
                switch (events[i].data.u64)
                {
                    case TokenStop:
                        return;
                    case TokenTap:
                        _tapMaybeReadable = true;
                        break;
                    case TokenTxCall:
                        _queue.DrainTxCall();
                        break;
                    case TokenRxCall:
                        _queue.DrainRxCall();
                        break;
                }
            }
        }
    }

    /// <summary>Guest TX: moves up to <see cref="Budget"/> frames from the TAP into TX slots.</summary>
    private int PumpTap()
    {
        int frames = 0;
        Span<nint> pages = stackalloc nint[_pagesPerFrame];
        Uio.iovec* iov = stackalloc Uio.iovec[1 + NetfrontQueue.MaxTxPages];
        VirtioNetHdr vnet;
        while (_tapMaybeReadable && frames < Budget && _queue.FreeTxSlots >= _slotsPerFrame)
        {
            if (!_queue.TryBeginSendPages(pages))
            {
                break;
            }
            iov[0] = new Uio.iovec { iov_base = &vnet, iov_len = VirtioNetHdr.Size };
            for (int i = 0; i < pages.Length; i++)
            {
                iov[1 + i] = new Uio.iovec { iov_base = (void*)pages[i], iov_len = NetifLimits.PageSize };
            }
            nint n = Uio.readv(_tapFd, iov, 1 + pages.Length); // straight into the granted pages
            if (n <= 0)
            {
                _queue.CancelSendPages();
                TapReadFailed(n);
                break;
            }
            frames++;
            int length = (int)n - VirtioNetHdr.Size;
            if (length is < NetifLimits.EthHeaderLength or > NetifLimits.MaxTxSize)
            {
                _queue.CancelSendPages();
                TxDropsBadLength++;
                continue;
            }
            if (NetifOffload.FromVirtio(vnet, _txOffloads, RingKind.Tx, out FrameOffload offload) != NetifOffloadResult.Mapped)
            {
                _queue.CancelSendPages();
                TxDropsUnsupportedGso++;
                continue;
            }
            _queue.CommitSendPages(length, offload);
        }
        return frames;
    }

    private void TapReadFailed(nint n)
    {
        int errno = NativeError.LastErrno;
        if (n == 0 || errno == NativeError.EAGAIN)
        {
            _tapMaybeReadable = false; // drained; EPOLLIN tells when more arrives
            return;
        }
        if (errno == NativeError.EINTR)
        {
            return;
        }
        throw NativeError.Exception($"read from TAP queue {_queue.Index}", errno);
    }

    /// <summary>Guest RX: one received frame goes to the guest's TAP queue, gathered from its pages.</summary>
    public void OnFrame(in RxFrame frame)
    {
        var segments = frame.Segments;
        if (segments.Length == 0 || segments.Length > MaxRxSegments)
        {
            return; // an empty frame: nothing to write
        }
        if (frame.ToVirtio(out VirtioNetHdr vnet) != NetifOffloadResult.Mapped)
        {
            RxDropsChecksumSetup++;
            return;
        }
        Uio.iovec* iov = stackalloc Uio.iovec[1 + MaxRxSegments];
        iov[0] = new Uio.iovec { iov_base = &vnet, iov_len = VirtioNetHdr.Size };
        for (int i = 0; i < segments.Length; i++)
        {
            iov[1 + i] = new Uio.iovec { iov_base = (void*)segments[i].Address, iov_len = (nuint)segments[i].Length };
        }
        if (Uio.writev(_tapFd, iov, 1 + segments.Length) < 0)
        {
            TapWriteErrors++;
        }
    }
}
