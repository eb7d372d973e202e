using System.Diagnostics;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>The library's queue driver, asked for exactly one frame (a copy), failing at a deadline.</summary>
internal struct ReceiveOneWork(int queueIndex, TimeSpan timeout) : INetfrontQueueWork
{
    private readonly long _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    public byte[]? Frame;

    public readonly int TxWorkFd => -1;

    public readonly int RxBudget => Frame is null ? 1 : 0;

    public readonly int TxSlotsWanted => 0;

    public readonly bool IsDone => Frame is not null;

    public readonly int Transmit(NetfrontQueue queue, int budget) => 0;

    public void OnFrame(in RxFrame frame)
    {
        var copy = new byte[frame.Length];
        frame.CopyTo(copy);
        Frame = copy;
    }

    public readonly void OnTxWorkReadable()
    {
    }

    public readonly int SleepTimeout() => FrontendDriver.SleepUntil(_deadline,
        $"queue {queueIndex} received no frame within {timeout.TotalSeconds:0.#} s");
}
