using Netback.Ring.Events;

namespace Netback.Daemon.Interface;

/// <summary>
/// A queue's event channels. Split mode (<c>feature-split-event-channels</c>): TX and RX each have
/// a kick (frontend → backend) and a call (backend → frontend) eventfd. Single mode: TX and RX share
/// one kick and one call, the pre-3.11 scheme kept for comparison.
/// </summary>
internal sealed class QueueEventChannels : IDisposable
{
    public QueueEventChannels(EventChannel txKick, EventChannel txCall, EventChannel rxKick, EventChannel rxCall)
    {
        TxKick = txKick;
        TxCall = txCall;
        RxKick = rxKick;
        RxCall = rxCall;
    }

    public EventChannel TxKick { get; }
    public EventChannel TxCall { get; }
    public EventChannel RxKick { get; }
    public EventChannel RxCall { get; }

    public bool IsSplit => !ReferenceEquals(TxKick, RxKick);

    public void Dispose()
    {
        TxKick.Dispose();
        TxCall.Dispose();
        RxKick.Dispose();
        RxCall.Dispose();
    }
}
