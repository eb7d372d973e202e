using System.Runtime.InteropServices;
using Netback.Daemon.Configuration;
using Netback.Daemon.DataPath;
using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Offload;
using Ring.Shared.Rings;

namespace Netback.Daemon.Interface;

/// <summary>
/// One queue of a vif (netback's <c>struct xenvif_queue</c>): its TX and RX back rings, its event
/// channels, its TAP queue fd, and the dedicated worker thread that serves both directions.
/// The TX path is in <c>DataPath/VifQueue.Tx.cs</c>, the RX path in <c>DataPath/VifQueue.Rx.cs</c>,
/// the worker loop in <c>DataPath/VifQueue.Worker.cs</c>.
/// </summary>
internal sealed unsafe partial class VifQueue : IDisposable
{
    private readonly Vif _vif;
    private readonly BackRing<NetifTxRequest, NetifTxResponse> _tx;
    private readonly BackRing<NetifRxRequest, NetifRxResponse> _rx;
    private readonly QueueEventChannels _channels;
    private readonly FileDescriptorHandle _tap;
    private readonly EventChannel _stop = EventChannel.Create();
    private readonly byte* _grantBase;
    private readonly uint _dataPageFirst;
    private readonly uint _pageCount;
    private Thread? _thread;

    /// <summary>
    /// iovecs per writev/readv: TX [vnet hdr, header copy, ≤ 18 data slots]; RX [vnet hdr, ≤ 18 pages].
    /// </summary>
    private const int MaxIov = 2 + NetifLimits.NrSlotsMin + 4;

    public VifQueue(Vif vif, int index, byte* grantBase, uint dataPageFirst, uint pageCount,
        RingGeometry txGeometry, uint txRingRef, RingGeometry rxGeometry, uint rxRingRef,
        QueueEventChannels channels, FileDescriptorHandle tap, int? nullRxFrameSize = null)
    {
        _vif = vif;
        Index = index;
        Name = $"{vif.Name}-q{index}";
        _grantBase = grantBase;
        _dataPageFirst = dataPageFirst;
        _pageCount = pageCount;
        _tx = new BackRing<NetifTxRequest, NetifTxResponse>(grantBase + (nint)txRingRef * NetifLimits.PageSize, txGeometry);
        _rx = new BackRing<NetifRxRequest, NetifRxResponse>(grantBase + (nint)rxRingRef * NetifLimits.PageSize, rxGeometry);
        // BACK_RING_ATTACH at the shared rsp_prod; a nonsensical req_prod is caught by the first TX/RX action.
        _tx.Attach();
        _rx.Attach();
        _rxPosted = new NetifRxRequest[_rx.Size];
        _rxMask = _rx.Size - 1;
        _rxPostedEnd = _rx.ReqCons;
        _channels = channels;
        _tap = tap;
        _iov = (Uio.iovec*)NativeMemory.AllocZeroed((nuint)(MaxIov * sizeof(Uio.iovec)));
        _txVnet = (VirtioNetHdr*)NativeMemory.AllocZeroed((nuint)sizeof(VirtioNetHdr));
        _rxVnet = (VirtioNetHdr*)NativeMemory.AllocZeroed((nuint)sizeof(VirtioNetHdr));
        _txCopyCapacity = vif.Offloads.TxCopy == TxCopyMode.Bounce ? BounceCopySize : HeaderCopySize;
        _txCopy = (byte*)NativeMemory.AllocZeroed((nuint)_txCopyCapacity);
        _rxGso = vif.Offloads.RxGso;
        _rxSlotsPerFrame = _rxGso ? NetifLimits.NrSlotsMin : RxSlotsFor(vif.Mtu);
        if (nullRxFrameSize is { } size)
        {
            _nullRx = new NullRxSource(size);
        }
    }

    public int Index { get; }

    /// <summary>Thread and log name, e.g. <c>vif3.0-q1</c> (netback's <c>&lt;vif&gt;-qN</c>).</summary>
    public string Name { get; }

    public QueueCounters Counters { get; } = new();

    public void Start()
    {
        _thread = new Thread(Run) { Name = Name, IsBackground = true };
        _thread.Start();
    }

    /// <summary>Asks the worker to leave its loop (safe from any thread, idempotent).</summary>
    public void SignalStop()
    {
        _stopRequested = true;
        _stop.Notify();
    }

    /// <summary>Waits for the worker to exit; false if it did not within <paramref name="timeout"/>.</summary>
    public bool Join(TimeSpan timeout) => _thread is null || _thread.Join(timeout);

    public void Dispose()
    {
        _stop.Dispose();
        _channels.Dispose();
        _nullRx?.Dispose();
        FreeRxDrainBuffer();
        if (_iov != null)
        {
            NativeMemory.Free(_iov);
            NativeMemory.Free(_txVnet);
            NativeMemory.Free(_rxVnet);
            NativeMemory.Free(_txCopy);
            _iov = null;
            _txVnet = null;
            _rxVnet = null;
            _txCopy = null;
        }
    }
}
