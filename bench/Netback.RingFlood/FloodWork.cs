using Netfront.Client;

namespace Netback.RingFlood;

/// <summary>
/// One queue flooded flat out, as a real frontend's queue thread would: the library's
/// <see cref="NetfrontQueueDriver{TWork}"/> runs the loop (batches of its budget, one push per
/// round, ring.h's final check before sleeping on the call eventfd) and calls in here. TX: every
/// free slot gets a frame, copied (<see cref="NetfrontQueue.TrySend"/>) or, zero-copy, committed
/// over whatever the page held. RX: frames are counted by the queue and discarded here. Nothing is
/// allocated per frame.
/// </summary>
internal readonly struct FloodWork : INetfrontQueueWork
{
    private readonly FloodMode _mode;
    private readonly byte[] _frame;
    private readonly bool _zeroCopy;

    public FloodWork(FloodMode mode, int frameSize, bool zeroCopy)
    {
        _mode = mode;
        _zeroCopy = zeroCopy;
        _frame = new byte[frameSize];
        // A broadcast Ethernet frame with an experimental EtherType: valid to any parser, owned by nobody.
        _frame.AsSpan(0, 6).Fill(0xff);
        _frame[6] = 0x02;
        _frame[12] = 0x88;
        _frame[13] = 0xb5;
    }

    public int TxWorkFd => -1;

    public int RxBudget => _mode == FloodMode.Rx ? NetfrontQueueDriver<FloodWork>.Budget : 0;

    /// <summary>TX always has a frame waiting: sleep only when no slot is free.</summary>
    public int TxSlotsWanted => _mode == FloodMode.Tx ? (_frame.Length + NetfrontQueue.MaxSlotFrame - 1) / NetfrontQueue.MaxSlotFrame : 0;

    public bool IsDone => false;

    public int Transmit(NetfrontQueue queue, int budget)
    {
        if (_mode != FloodMode.Tx)
        {
            return 0;
        }
        ReadOnlySpan<byte> frame = _frame;
        int sent = 0;
        while (sent < budget && queue.FreeTxSlots > 0)
        {
            if (_zeroCopy)
            {
                // The page keeps whatever it held: this measures the ring alone, no memcpy.
                queue.TryBeginSend(out _, out int token);
                queue.CommitSend(token, frame.Length);
            }
            else if (!queue.TrySend(frame))
            {
                break;
            }
            sent++;
        }
        return sent;
    }

    /// <summary>Discards a received frame: the queue's counters already count it.</summary>
    public void OnFrame(in RxFrame frame)
    {
    }

    public void OnTxWorkReadable()
    {
    }

    public int SleepTimeout() => -1;
}
