using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// Work whose RX budget is 0 when the driver's first round begins and comes back before that round
/// ends, without a doorbell: as a buffer returned by another thread just before the work armed its
/// wake-up flag. The shared array holds the budget, the frames taken and the sleeps asked.
/// </summary>
internal readonly struct LateBudgetWork(int[] state) : INetfrontQueueWork
{
    public int TxWorkFd => -1;

    public int RxBudget => Volatile.Read(ref state[0]);

    public int TxSlotsWanted => 0;

    public bool IsDone => Volatile.Read(ref state[1]) > 0;

    public int Transmit(NetfrontQueue queue, int budget) => 0;

    public void OnTxWorkReadable()
    {
    }

    public int SleepTimeout()
    {
        if (Interlocked.Increment(ref state[2]) == 1)
        {
            Volatile.Write(ref state[0], 1); // the budget is back, and nobody rings
        }
        return -1;
    }

    public void OnFrame(in RxFrame frame) => Interlocked.Increment(ref state[1]);
}
