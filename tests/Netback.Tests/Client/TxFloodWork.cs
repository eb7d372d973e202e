using System.Diagnostics;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// Guest TX only, as fast as the ring allows: numbered frames with TrySend until <c>count</c> are
/// sent, then waits until every slot is answered. It always wants more slots than are free while
/// it has frames left (one) and, once all are sent, the whole ring back, so every sleep of the
/// driver arms the TX ring's rsp_event: a lost call shows as a timeout.
/// </summary>
internal struct TxFloodWork : INetfrontQueueWork
{
    private readonly NetfrontQueue _queue;
    private readonly byte[] _frame;
    private readonly int _count;
    private readonly int _size;
    private readonly long _deadline;
    private uint _sent;

    public TxFloodWork(NetfrontQueue queue, int count, int size, TimeSpan timeout)
    {
        _queue = queue;
        _frame = new byte[size];
        _count = count;
        _size = size;
        _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    }

    public readonly uint Sent => _sent;

    public readonly bool TimedOut => Stopwatch.GetTimestamp() > _deadline;

    public readonly int TxWorkFd => -1;

    public readonly int RxBudget => NetfrontQueueDriver<TxFloodWork>.Budget;

    public readonly int TxSlotsWanted => _sent < _count ? 1 : _queue.TxRingSize;

    public readonly bool IsDone => TimedOut || (_sent >= _count && _queue.TxInFlight == 0);

    public int Transmit(NetfrontQueue queue, int budget)
    {
        int sent = 0;
        while (sent < budget && _sent < _count && queue.TrySend(_frame.AsSpan(0, Frames.Fill(_frame, _sent, 0xC3, _size))))
        {
            sent++;
            _sent++;
        }
        return sent;
    }

    public readonly void OnFrame(in RxFrame frame)
    {
    }

    public readonly void OnTxWorkReadable()
    {
    }

    public readonly int SleepTimeout()
    {
        long left = _deadline - Stopwatch.GetTimestamp();
        return left <= 0 ? 0 : (int)Math.Min(int.MaxValue, left * 1000 / Stopwatch.Frequency) + 1;
    }
}
