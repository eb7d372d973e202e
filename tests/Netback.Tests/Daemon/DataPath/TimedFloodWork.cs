using System.Diagnostics;
using Netfront.Client;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// The steady-state flood as work for the library's queue driver: a frame into every free TX slot
/// (32 per round), every received frame counted, until a deadline. Allocation-free.
/// </summary>
internal struct TimedFloodWork(byte[] frame) : INetfrontQueueWork
{
    private long _end;

    public long Sent;

    public long Received;

    /// <summary>Runs the flood for <paramref name="duration"/> from now (the driver's next <c>Run</c>).</summary>
    public void For(TimeSpan duration) => _end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);

    public readonly int TxWorkFd => -1;

    public readonly int RxBudget => NetfrontQueueDriver<TimedFloodWork>.Budget;

    public readonly int TxSlotsWanted => 1;

    public readonly bool IsDone => Stopwatch.GetTimestamp() >= _end;

    public int Transmit(NetfrontQueue queue, int budget)
    {
        int sent = 0;
        while (sent < 32 && queue.TrySend(frame))
        {
            sent++;
        }
        Sent += sent;
        return sent;
    }

    public void OnFrame(in RxFrame frame) => Received++;

    public readonly void OnTxWorkReadable()
    {
    }

    /// <summary>Short sleeps: the deadline is looked at between them.</summary>
    public readonly int SleepTimeout() => 10;
}
