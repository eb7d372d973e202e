using System.Diagnostics;
using System.Runtime.InteropServices;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;
using Netback.Daemon.Interface;
using Ring.Shared.Offload;

namespace Netback.Daemon.DataPath;

/// <summary>
/// Guest RX when the frontend stops posting buffers, after netback's rx.c: the worker stops reading
/// the TAP (the kernel's queue holds what arrives, bounded by txqueuelen); frames that waited
/// <c>RxDrainTimeout</c> are read and dropped (xenvif_rx_queue_drop_expired); after
/// <c>RxStallTimeout</c> without enough buffers, the queue is stalled and the vif's carrier goes off
/// (xenvif_queue_carrier_off) until buffers come back (xenvif_queue_carrier_on). Checked only while
/// starved, by epoll timeout: nothing per packet. Owned by the queue's worker thread.
/// </summary>
internal sealed unsafe class RxStall<TIo> : IDisposable where TIo : struct, IFrameIo
{
    /// <summary>Most frames dropped in one drain sweep, so a flooded TAP cannot pin the worker.</summary>
    private const int MaxDrainPerSweep = 4096;
    private const int DrainBufferSize = VirtioNetHdr.Size + 65550;

    private readonly VifQueue _queue;
    private readonly QueueCounters _counters;
    private readonly RxStallPolicy _policy;
    private readonly TIo _io;
    private int _tapFd = -1;
    /// <summary>Stopwatch timestamp since when too few buffers are posted; 0 while enough are.</summary>
    private long _starvedSince;
    private long _lastDrain;
    private bool _stalled;
    /// <summary>Where drained frames are read to; allocated on first use.</summary>
    private byte* _drainBuffer;

    public RxStall(VifQueue queue, TIo io)
    {
        _queue = queue;
        _counters = queue.Counters;
        _policy = queue.Vif.Plan.RxStall;
        _io = io;
    }

    public void Bind(int tapFd) => _tapFd = tapFd;

    /// <summary>
    /// Called once per worker round before sleeping. Returns the epoll timeout (ms) until the next
    /// stall or drain deadline, or -1 while the frontend keeps buffers posted.
    /// </summary>
    public int Check(bool haveBuffers)
    {
        if (haveBuffers)
        {
            _starvedSince = 0;
            if (_stalled)
            {
                _stalled = false;
                _queue.Vif.QueueRxReady(_queue.Index);
            }
            return -1;
        }
        long now = Stopwatch.GetTimestamp();
        if (_starvedSince == 0)
        {
            _starvedSince = now;
            _lastDrain = now;
        }
        TimeSpan starved = Stopwatch.GetElapsedTime(_starvedSince, now);
        // As netback's xenvif_rx_queue_stalled: too few buffers for the stall timeout. A frontend that
        // is merely idle keeps its buffers posted; running short means frames came and were not taken.
        if (!_stalled && starved >= _policy.StallTimeout)
        {
            _stalled = true;
            _counters.RxStalls++;
            _queue.Vif.QueueRxStalled(_queue.Index, starved);
        }
        if (Stopwatch.GetElapsedTime(_lastDrain, now) >= _policy.DrainTimeout)
        {
            Drain();
            _lastDrain = now;
        }
        TimeSpan next = _policy.DrainTimeout - Stopwatch.GetElapsedTime(_lastDrain, now);
        if (!_stalled)
        {
            TimeSpan toStall = _policy.StallTimeout - starved;
            next = toStall > TimeSpan.Zero && toStall < next ? toStall : next;
        }
        return Math.Max(1, (int)Math.Ceiling(next.TotalMilliseconds));
    }

    /// <summary>Reads and drops what waits in the TAP queue (frames that waited the drain timeout, and newer ones).</summary>
    private void Drain()
    {
        if (_drainBuffer == null)
        {
            _drainBuffer = (byte*)NativeMemory.Alloc(DrainBufferSize);
        }
        for (int i = 0; i < MaxDrainPerSweep; i++)
        {
            if (!_io.Discard(_tapFd, _drainBuffer, DrainBufferSize))
            {
                return; // EAGAIN: empty
            }
            _counters.RxStallDrops++;
        }
    }

    public void Dispose()
    {
        if (_drainBuffer != null)
        {
            NativeMemory.Free(_drainBuffer);
            _drainBuffer = null;
        }
    }
}
