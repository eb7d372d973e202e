using Ring.Shared.Interop;

namespace Ring.Shared.Events;

/// <summary>
/// A queue's event channels, one eventfd per direction. Split mode
/// (<c>feature-split-event-channels</c>): TX kick, TX call, RX kick, RX call; single mode: one kick
/// and one call shared by TX and RX (the pre-3.11 scheme, kept for comparison).
/// <b>kick</b> = frontend → backend, <b>call</b> = backend → frontend. The frontend creates them
/// (<see cref="Create"/>); the backend wraps the ones it received.
/// </summary>
public sealed class QueueEventChannels : IDisposable
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

    /// <summary>Creates the eventfds of one queue (all of them or none).</summary>
    public static QueueEventChannels Create(bool split)
    {
        var created = new List<EventChannel>(4);
        try
        {
            EventChannel Make()
            {
                var c = EventChannel.Create();
                created.Add(c);
                return c;
            }
            if (split)
            {
                return new QueueEventChannels(Make(), Make(), Make(), Make());
            }
            var kick = Make();
            var call = Make();
            return new QueueEventChannels(kick, call, kick, call);
        }
        catch
        {
            foreach (var c in created)
            {
                c.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// Appends this queue's fds in the documented SCM_RIGHTS order (split: TX kick, TX call, RX kick,
    /// RX call; single: kick, call) and returns the value of <c>event-channel-tx</c>/<c>-rx</c> or
    /// <c>event-channel</c>: "kick-index,call-index".
    /// </summary>
    public (string Tx, string? Rx) AppendFds(List<FileDescriptorHandle> fds)
    {
        int first = fds.Count;
        fds.Add(TxKick.Handle);
        fds.Add(TxCall.Handle);
        if (!IsSplit)
        {
            return ($"{first},{first + 1}", null);
        }
        fds.Add(RxKick.Handle);
        fds.Add(RxCall.Handle);
        return ($"{first},{first + 1}", $"{first + 2},{first + 3}");
    }

    public void Dispose()
    {
        TxKick.Dispose();
        TxCall.Dispose();
        if (IsSplit)
        {
            RxKick.Dispose();
            RxCall.Dispose();
        }
    }
}
