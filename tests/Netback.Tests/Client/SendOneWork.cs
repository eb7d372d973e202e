using System.Diagnostics;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>The library's queue driver, asked to place one frame on the TX ring (waiting for slots), failing at a deadline.</summary>
internal struct SendOneWork(ReadOnlyMemory<byte> frame, TimeSpan timeout) : INetfrontQueueWork
{
    private readonly long _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    public bool Sent;

    public readonly int TxWorkFd => -1;

    public readonly int RxBudget => 0;

    public readonly int TxSlotsWanted => Sent ? 0 : (frame.Length + NetfrontQueue.MaxSlotFrame - 1) / NetfrontQueue.MaxSlotFrame;

    public readonly bool IsDone => Sent;

    public int Transmit(NetfrontQueue queue, int budget)
    {
        if (Sent || !queue.TrySend(frame.Span))
        {
            return 0;
        }
        Sent = true;
        return 1;
    }

    public readonly void OnFrame(in RxFrame frame)
    {
    }

    public readonly void OnTxWorkReadable()
    {
    }

    public readonly int SleepTimeout() => FrontendDriver.SleepUntil(_deadline,
        $"no TX slot came back within {timeout.TotalSeconds:0.#} s");
}
