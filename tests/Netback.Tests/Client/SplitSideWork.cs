using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// The work of both drivers of a queue under split threads (each holds a copy): the TX driver sends
/// <see cref="SplitTally.Target"/> frames, at most <see cref="Window"/> ahead of their echoes (so the
/// echo drops none), the RX driver counts what comes back. Nothing wakes the TX driver when the
/// window reopens (the echoes arrive on the other thread), so while frames remain to be sent it
/// looks again every millisecond: asking only when it saw the window shut raced the RX driver (it
/// saw the window shut in Transmit, all echoes came back, then it saw it open and slept for good).
/// The RX driver sleeps until the backend's call: a lost wake-up there is a stall.
/// </summary>
internal readonly struct SplitSideWork(SplitTally tally, byte[] frame) : INetfrontQueueWork
{
    public const int Window = 32;

    public int TxWorkFd => -1;

    public int RxBudget => NetfrontQueueDriver<SplitSideWork>.Budget;

    public int TxSlotsWanted => Volatile.Read(ref tally.Sent) < tally.Target ? 1 : 0;

    public bool IsDone => false;

    public int Transmit(NetfrontQueue queue, int budget)
    {
        int sent = 0;
        while (sent < budget && Volatile.Read(ref tally.Sent) < tally.Target
            && Volatile.Read(ref tally.Sent) - Volatile.Read(ref tally.Received) < Window && queue.TrySend(frame))
        {
            Interlocked.Increment(ref tally.Sent);
            sent++;
        }
        return sent;
    }

    public void OnFrame(in RxFrame received) => Interlocked.Increment(ref tally.Received);

    public void OnTxWorkReadable()
    {
    }

    public int SleepTimeout() => Volatile.Read(ref tally.Sent) < tally.Target ? 1 : -1;
}
