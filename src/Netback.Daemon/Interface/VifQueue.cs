using Netback.Daemon.Diagnostics;
using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Rings;

namespace Netback.Daemon.Interface;

/// <summary>
/// One queue of a vif, its state only (netback's <c>struct xenvif_queue</c>): the TX and RX back rings
/// over the frontend's pages, the event channels and the notifiers that signal their calls, the TAP
/// queue fd and the counters. What serves it lives in DataPath (the worker, the TX and RX paths); the
/// vif owns and disposes it.
/// </summary>
internal sealed unsafe class VifQueue : IDisposable
{
    private readonly byte* _grantBase;
    private int _workerTid;
    private string? _workerName;
    private int _rxWorkerTid;
    private string? _rxWorkerName;
    private int _placementErrno;

    public VifQueue(Vif vif, int index, byte* grantBase, uint dataPageFirst, uint pageCount,
        RingGeometry txGeometry, uint txRingRef, RingGeometry rxGeometry, uint rxRingRef,
        QueueEventChannels channels, ICallNotifier txNotifier, ICallNotifier rxNotifier, FileDescriptorHandle tap)
    {
        Vif = vif;
        Index = index;
        Name = $"{vif.Name}-q{index}";
        _grantBase = grantBase;
        DataPageFirst = dataPageFirst;
        PageCount = pageCount;
        Tx = new BackRing<NetifTxRequest, NetifTxResponse>(grantBase + (nint)txRingRef * NetifLimits.PageSize, txGeometry);
        Rx = new BackRing<NetifRxRequest, NetifRxResponse>(grantBase + (nint)rxRingRef * NetifLimits.PageSize, rxGeometry);
        // BACK_RING_ATTACH at the shared rsp_prod; a nonsensical req_prod is caught by the first TX/RX action.
        Tx.Attach();
        Rx.Attach();
        Channels = channels;
        TxNotifier = txNotifier;
        RxNotifier = rxNotifier;
        Tap = tap;
    }

    public Vif Vif { get; }

    public int Index { get; }

    /// <summary>Thread and log name, e.g. <c>vif3.0-q1</c> (netback's <c>&lt;vif&gt;-qN</c>).</summary>
    public string Name { get; }

    /// <summary>Guest TX: the frontend's requests, our responses.</summary>
    public BackRing<NetifTxRequest, NetifTxResponse> Tx { get; }

    /// <summary>Guest RX: the frontend's posted buffers, our responses in their slots.</summary>
    public BackRing<NetifRxRequest, NetifRxResponse> Rx { get; }

    public QueueEventChannels Channels { get; }

    /// <summary>Signals the TX call (responses to guest TX); the same object as <see cref="RxNotifier"/> in single-channel mode.</summary>
    public ICallNotifier TxNotifier { get; }

    /// <summary>Signals the RX call (frames for the guest).</summary>
    public ICallNotifier RxNotifier { get; }

    /// <summary>This queue's fd of the vif's multi-queue TAP (owned by the vif's TAP device).</summary>
    public FileDescriptorHandle Tap { get; }

    /// <summary>The first page a slot may reference (pages before it hold rings).</summary>
    public uint DataPageFirst { get; }

    /// <summary>Pages in the grant area.</summary>
    public uint PageCount { get; }

    /// <summary>The grant area's memfd (the vif's), for tx-copy=map's per-packet mappings; null where none exists.</summary>
    public FileDescriptorHandle? GrantFd { get; init; }

    /// <summary>The Linux id of the thread serving the queue (its guest TX with <c>split</c>), 0 until it has started.</summary>
    public int WorkerTid => Volatile.Read(ref _workerTid);

    /// <summary>That thread's name: the queue's with <c>per-queue</c>, <c>netback/N</c> in a pool, <c>&lt;queue&gt;-tx</c> with <c>split</c>.</summary>
    public string WorkerName => Volatile.Read(ref _workerName) ?? Name;

    /// <summary>With <c>split</c>: the guest-RX thread's id (0 otherwise, or until it has started).</summary>
    public int RxWorkerTid => Volatile.Read(ref _rxWorkerTid);

    /// <summary>With <c>split</c>: the guest-RX thread's name; null otherwise.</summary>
    public string? RxWorkerName => Volatile.Read(ref _rxWorkerName);

    /// <summary>Called by a thread as it starts serving the queue (one or both directions), on that thread.</summary>
    public void WorkerStarted(int tid, string thread, bool rxOnly)
    {
        if (rxOnly)
        {
            Volatile.Write(ref _rxWorkerName, thread);
            Volatile.Write(ref _rxWorkerTid, tid);
        }
        else
        {
            Volatile.Write(ref _workerName, thread);
            Volatile.Write(ref _workerTid, tid);
        }
    }

    /// <summary>0, or the errno of the worker's sched_setaffinity when its placement failed (it then runs unpinned).</summary>
    public int PlacementErrno { get => Volatile.Read(ref _placementErrno); set => Volatile.Write(ref _placementErrno, value); }

    /// <summary>Written by the queue's worker only; read by metrics and listings.</summary>
    public QueueCounters Counters { get; } = new();

    /// <summary>Is <paramref name="gref"/> one of the data pages the frontend announced?</summary>
    public bool IsDataGref(uint gref) => gref >= DataPageFirst && gref < PageCount;

    /// <summary>The mapped address of a data page; the caller has checked it with <see cref="IsDataGref"/>.</summary>
    public byte* PageAddress(uint gref) => _grantBase + (nint)gref * NetifLimits.PageSize;

    /// <summary>Closes the notifiers and event channels (the TAP fd is the TAP device's, the mapping the vif's).</summary>
    public void Dispose()
    {
        TxNotifier.Dispose();
        if (!ReferenceEquals(RxNotifier, TxNotifier))
        {
            RxNotifier.Dispose();
        }
        Channels.Dispose();
    }
}
