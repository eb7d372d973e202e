using System.Diagnostics;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>The library's queue driver, run until the backend has answered every TX slot in flight, failing at a deadline.</summary>
internal readonly struct ReclaimWork(NetfrontQueue queue, TimeSpan timeout) : INetfrontQueueWork
{
    private readonly long _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    public int TxWorkFd => -1;

    public int RxBudget => 0;

    /// <summary>Every slot: the driver waits for TX responses while any is in flight.</summary>
    public int TxSlotsWanted => queue.TxRingSize;

    public bool IsDone => queue.TxInFlight == 0;

    public int Transmit(NetfrontQueue queue, int budget) => 0;

    public void OnFrame(in RxFrame frame)
    {
    }

    public void OnTxWorkReadable()
    {
    }

    public int SleepTimeout() => FrontendDriver.SleepUntil(_deadline,
        $"{queue.TxInFlight} TX slot(s) still in flight after {timeout.TotalSeconds:0.#} s");
}
