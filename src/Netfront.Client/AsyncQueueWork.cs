namespace Netfront.Client;

/// <summary>
/// A <see cref="NetfrontAsyncDevice"/> queue as work for its <see cref="NetfrontQueueDriver{TWork}"/>:
/// a struct around the queue's <see cref="AsyncQueue"/>, so the driver's calls are direct.
/// </summary>
internal readonly struct AsyncQueueWork(AsyncQueue queue) : INetfrontQueueWork
{
    public int TxWorkFd => queue.DoorbellFd;

    public int RxBudget => queue.Pool.Available;

    public int TxSlotsWanted => queue.TxSlotsWanted;

    public bool IsDone => false;

    public int Transmit(NetfrontQueue ring, int budget) => queue.Transmit(ring, budget);

    public void OnFrame(in RxFrame frame) => queue.Receive(frame);

    public void OnTxWorkReadable() => queue.OnDoorbell();

    public int SleepTimeout() => queue.SleepTimeout();
}
