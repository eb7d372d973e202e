using System.Diagnostics;
using System.Runtime.InteropServices;
using Ring.Shared.Abi;
using Ring.Shared.Interop;
using Ring.Shared.Offload;

namespace Netback.Daemon.Interface;

/// <summary>
/// Guest RX when the frontend stops posting buffers, after netback's rx.c: the worker stops reading
/// the TAP (the kernel's queue holds what arrives, bounded by txqueuelen); frames that waited
/// <c>RxDrainTimeout</c> are read and dropped (xenvif_rx_queue_drop_expired); after
/// <c>RxStallTimeout</c> without enough buffers, the queue is stalled and the vif's carrier goes off
/// (xenvif_queue_carrier_off) until buffers come back (xenvif_queue_carrier_on). Checked only while
/// starved, by epoll timeout: nothing per packet.
/// </summary>
internal sealed unsafe partial class VifQueue
{
    /// <summary>Most frames dropped in one drain sweep, so a flooded TAP cannot pin the worker.</summary>
    private const int MaxDrainPerSweep = 4096;

    /// <summary>Stopwatch timestamp since when too few buffers are posted; 0 while enough are.</summary>
    private long _rxStarvedSince;
    private long _rxLastDrain;
    private bool _rxStalled;
    /// <summary>Where drained frames are read to (the largest TAP frame plus its vnet header); allocated on first use.</summary>
    private byte* _rxDrainBuffer;
    private const int DrainBufferSize = VirtioNetHdr.Size + 65550;

    /// <summary>
    /// Called once per worker round before sleeping. Returns the epoll timeout (ms) until the next
    /// stall or drain deadline, or -1 while the frontend keeps buffers posted.
    /// </summary>
    private int RxStallCheck(bool haveBuffers)
    {
        if (haveBuffers)
        {
            _rxStarvedSince = 0;
            if (_rxStalled)
            {
                _rxStalled = false;
                _vif.QueueRxReady(this);
            }
            return -1;
        }
        long now = Stopwatch.GetTimestamp();
        if (_rxStarvedSince == 0)
        {
            _rxStarvedSince = now;
            _rxLastDrain = now;
        }
        var policy = _vif.RxStall;
        TimeSpan starved = Stopwatch.GetElapsedTime(_rxStarvedSince, now);
        // As netback's xenvif_rx_queue_stalled: too few buffers for the stall timeout. A frontend that
        // is merely idle keeps its buffers posted; running short means frames came and were not taken.
        if (!_rxStalled && starved >= policy.StallTimeout)
        {
            _rxStalled = true;
            Counters.RxStalls++;
            _vif.QueueRxStalled(this, starved);
        }
        if (Stopwatch.GetElapsedTime(_rxLastDrain, now) >= policy.DrainTimeout)
        {
            DrainTap();
            _rxLastDrain = now;
        }
        TimeSpan next = policy.DrainTimeout - Stopwatch.GetElapsedTime(_rxLastDrain, now);
        if (!_rxStalled)
        {
            TimeSpan toStall = policy.StallTimeout - starved;
            next = toStall > TimeSpan.Zero && toStall < next ? toStall : next;
        }
        return Math.Max(1, (int)Math.Ceiling(next.TotalMilliseconds));
    }

    /// <summary>Reads and drops what waits in the TAP queue (frames that waited the drain timeout, and newer ones).</summary>
    private void DrainTap()
    {
        if (_nullRx is not null)
        {
            return;
        }
        if (_rxDrainBuffer == null)
        {
            _rxDrainBuffer = (byte*)NativeMemory.Alloc(DrainBufferSize);
        }
        for (int i = 0; i < MaxDrainPerSweep; i++)
        {
            if (Uio.read(_tapFd, _rxDrainBuffer, DrainBufferSize) <= 0)
            {
                return; // EAGAIN: empty
            }
            Counters.RxStallDrops++;
        }
    }

    private void FreeRxDrainBuffer()
    {
        if (_rxDrainBuffer != null)
        {
            NativeMemory.Free(_rxDrainBuffer);
            _rxDrainBuffer = null;
        }
    }
}
