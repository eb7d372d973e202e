using System.Collections.Concurrent;
using System.Threading.Channels;
using Ring.Shared.Events;
using Ring.Shared.Interop;

namespace Netfront.Client;

/// <summary>
/// One queue of a <see cref="NetfrontAsyncDevice"/>: its pending sends (a single-reader channel the
/// driver drains), its receive buffers, and a doorbell eventfd the driver polls as its TX work fd.
/// Producers ring the doorbell only when the driver said it was about to sleep (the flag is armed
/// and re-checked with a full fence on the driver's side, ring.h's req_event in miniature), so a busy
/// driver costs senders no syscall.
/// </summary>
internal sealed class AsyncQueue : IDisposable
{
    private readonly Channel<SendOperation> _pending = Channel.CreateUnbounded<SendOperation>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });
    private readonly EventChannel _doorbell = EventChannel.Create();
    private readonly HeldDescriptor _doorbellFd;
    private readonly ChannelWriter<NetfrontFrame> _received;
    private SendOperation? _head;
    private int _sleeping;
    private int _rxStarved;

    public AsyncQueue(NetfrontQueue queue, FramePool pool, ChannelWriter<NetfrontFrame> received)
    {
        Queue = queue;
        Pool = pool;
        _received = received;
        _doorbellFd = new HeldDescriptor(_doorbell.Handle);
        pool.Returned = OnBufferReturned;
    }

    public NetfrontQueue Queue { get; }

    public FramePool Pool { get; }

    public int DoorbellFd => _doorbellFd.Fd;

    /// <summary>Frames dropped because they were larger than a pool buffer.</summary>
    public long RxDropsTooLarge;

    /// <summary>Queues a send (any thread); false once the queue is shut.</summary>
    public bool Enqueue(SendOperation op)
    {
        if (!_pending.Writer.TryWrite(op))
        {
            return false;
        }
        if (Volatile.Read(ref _sleeping) != 0 && Interlocked.Exchange(ref _sleeping, 0) != 0)
        {
            _doorbell.TryNotify();
        }
        return true;
    }

    /// <summary>The slots the frame at the head needs; 0 when nothing waits.</summary>
    public int TxSlotsWanted => _head is { } op ? (op.Frame.Length + NetfrontQueue.MaxSlotFrame - 1) / NetfrontQueue.MaxSlotFrame : 0;

    /// <summary>On the driver's thread: pending frames onto the ring while slots last.</summary>
    public int Transmit(NetfrontQueue queue, int budget)
    {
        Volatile.Write(ref _sleeping, 0); // awake: producers need not ring
        int handled = 0;
        while (handled < budget)
        {
            if (_head is null && !_pending.Reader.TryRead(out _head))
            {
                break;
            }
            SendOperation op = _head;
            if (queue.FreeTxSlots < (op.Frame.Length + NetfrontQueue.MaxSlotFrame - 1) / NetfrontQueue.MaxSlotFrame)
            {
                break; // back-pressure: the head waits (still cancellable) until responses free slots
            }
            _head = null;
            if (op.TryTake())
            {
                queue.TrySend(op.Frame.Span); // fits: slots were counted above
                op.Complete();
            }
            op.ReleaseByQueue();
            handled++;
        }
        return handled;
    }

    /// <summary>On the driver's thread: one received frame into a pooled buffer and the device's channel.</summary>
    public void Receive(in RxFrame frame)
    {
        if (frame.Length > Pool.BufferSize)
        {
            RxDropsTooLarge++;
            return;
        }
        FrameBuffer buffer = Pool.Rent();
        buffer.Length = frame.CopyTo(buffer.Data);
        var received = new NetfrontFrame(buffer);
        if (!_received.TryWrite(received))
        {
            received.Dispose(); // the device is shutting down
        }
    }

    /// <summary>
    /// Right before the driver sleeps: arm the doorbell (and, with no buffer left, the wake on a
    /// return), fence, and look once more, so that a send or a return that raced the decision is
    /// not left waiting. 0: poll again; -1: sleep until an event.
    /// </summary>
    public int SleepTimeout()
    {
        bool starved = Pool.Available == 0;
        Volatile.Write(ref _rxStarved, starved ? 1 : 0);
        Interlocked.Exchange(ref _sleeping, 1); // a full fence: the looks below come after the flag
        // A head waiting for slots is the TX side's wait (the driver's final check on the TX ring);
        // only an empty head makes a newly queued send worth a look.
        if ((_head is null && _pending.Reader.TryPeek(out _)) || (starved && Pool.Available > 0))
        {
            Volatile.Write(ref _sleeping, 0);
            return 0;
        }
        return -1;
    }

    public void OnDoorbell() => _doorbell.Drain();

    private void OnBufferReturned()
    {
        if (Volatile.Read(ref _rxStarved) != 0 && Interlocked.Exchange(ref _rxStarved, 0) != 0)
        {
            _doorbell.TryNotify();
        }
    }

    /// <summary>After the driver stopped: fails every send still waiting with <paramref name="error"/>.</summary>
    public void FailPending(Exception error)
    {
        _pending.Writer.TryComplete();
        if (_head is { } head)
        {
            head.Finish(error);
            head.ReleaseByQueue();
            _head = null;
        }
        while (_pending.Reader.TryRead(out var op))
        {
            op.Finish(error);
            op.ReleaseByQueue();
        }
    }

    public void Dispose()
    {
        _doorbellFd.Release();
        _doorbell.Dispose();
    }
}
