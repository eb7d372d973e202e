using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Offload;
using Ring.Shared.Rings;
using Netfront.Client;

namespace Netfront.Cli;

/// <summary>
/// One queue's relay (netfront's TX path and receive handling for a guest TAP), run by the library's
/// <see cref="NetfrontQueueDriver{TWork}"/> on thread <c>netfront-qN</c>: the driver polls the guest
/// TAP queue fd (only while TX slots are free), the call eventfds and its stop eventfd, and calls
/// in here. The TAP is IFF_VNET_HDR (docs/protocol.md "Offloads"). Guest TX:
/// <c>readv(tap, [virtio_net_hdr, granted page 0, page 1, …])</c> straight into granted pages, the
/// header mapped to NETTXF_csum_blank/data_validated and a GSO extra, up to the driver's budget per
/// round. Guest RX: <c>writev(tap, [virtio_net_hdr, segments…])</c> from the RX pages, the header
/// built from the NETRXF flags and GSO extra.
/// </summary>
internal unsafe struct RelayWork : INetfrontQueueWork
{
    /// <summary>Iovecs of a guest-RX write: the header and at most this many segments (the queue's slot bound).</summary>
    private const int MaxRxSegments = NetifLimits.NrSlotsMin + 1;

    /// <summary>The TAP queue fd, referenced until <see cref="Release"/> (after the driver stopped).</summary>
    private readonly HeldDescriptor _tap;
    /// <summary>What the backend accepts on TX: the TAP hands over nothing else (TUNSETOFFLOAD).</summary>
    private readonly OffloadFeatures _txOffloads;
    /// <summary>Granted pages each TAP read goes into.</summary>
    private readonly int _pagesPerFrame;
    /// <summary>Ring slots a read needs free: its pages and a possible GSO extra.</summary>
    private readonly int _slotsPerFrame;
    private bool _tapMaybeReadable;

    public RelayWork(FileDescriptorHandle tap, int mtu, OffloadFeatures txOffloads)
    {
        _tap = new HeldDescriptor(tap);
        _tapMaybeReadable = true;
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

    public readonly int TxWorkFd => _tap.Fd;

    public readonly int RxBudget => NetfrontQueueDriver<RelayWork>.Budget;

    /// <summary>A TAP read may always come: keep room for the largest frame.</summary>
    public readonly int TxSlotsWanted => _slotsPerFrame;

    public readonly bool IsDone => false;

    public void OnTxWorkReadable() => _tapMaybeReadable = true;

    public readonly int SleepTimeout() => -1;

    public int Transmit(NetfrontQueue queue, int budget) => PumpTap(queue, budget);

    /// <summary>Drops the TAP fd's reference; call once the driver has stopped.</summary>
    public readonly void Release() => _tap.Release();

    /// <summary>Guest TX: moves up to <paramref name="budget"/> frames from the TAP into TX slots.</summary>
    private int PumpTap(NetfrontQueue queue, int budget)
    {
        int tapFd = _tap.Fd;
        int frames = 0;
        Span<nint> pages = stackalloc nint[_pagesPerFrame];
        Uio.iovec* iov = stackalloc Uio.iovec[1 + NetfrontQueue.MaxTxPages];
        VirtioNetHdr vnet;
        while (_tapMaybeReadable && frames < budget && queue.FreeTxSlots >= _slotsPerFrame)
        {
            if (!queue.TryBeginSendPages(pages))
            {
                break;
            }
            iov[0] = new Uio.iovec { iov_base = &vnet, iov_len = VirtioNetHdr.Size };
            for (int i = 0; i < pages.Length; i++)
            {
                iov[1 + i] = new Uio.iovec { iov_base = (void*)pages[i], iov_len = NetifLimits.PageSize };
            }
            nint n = Uio.readv(tapFd, iov, 1 + pages.Length); // straight into the granted pages
            if (n <= 0)
            {
                queue.CancelSendPages();
                TapReadFailed(n, queue.Index);
                break;
            }
            frames++;
            int length = (int)n - VirtioNetHdr.Size;
            if (length is < NetifLimits.EthHeaderLength or > NetifLimits.MaxTxSize)
            {
                queue.CancelSendPages();
                TxDropsBadLength++;
                continue;
            }
            if (NetifOffload.FromVirtio(vnet, _txOffloads, RingKind.Tx, out FrameOffload offload) != NetifOffloadResult.Mapped)
            {
                queue.CancelSendPages();
                TxDropsUnsupportedGso++;
                continue;
            }
            queue.CommitSendPages(length, offload);
        }
        return frames;
    }

    private void TapReadFailed(nint n, int queueIndex)
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
        throw NativeError.Exception($"read from TAP queue {queueIndex}", errno);
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
        if (Uio.writev(_tap.Fd, iov, 1 + segments.Length) < 0)
        {
            TapWriteErrors++;
        }
    }
}
