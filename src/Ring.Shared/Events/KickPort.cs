using Tmds.Linux;

namespace Ring.Shared.Events;

/// <summary>
/// The backend's end of a kick (frontend → backend) that it never reads: the eventfd is registered
/// edge-triggered in a private epoll instance, which then plays the event channel's <i>pending</i>
/// bit. Every write(2) the frontend makes to the eventfd sets it; <see cref="Harvest"/> clears it.
/// The worker watches this instance (not the eventfd) in its own epoll, so masking the channel is
/// one EPOLL_CTL_MOD of that registration, and unmasking it reports a kick that came while it was
/// masked, exactly once, as Xen's event channels do after a late EOI (drivers/xen/events/events_base.c).
/// <para>
/// What the frontend may do to the description it shares with us changes nothing here: its flags
/// (the backend never reads, so O_NONBLOCK does not matter), its mode (EFD_SEMAPHORE makes each read
/// take 1; nobody reads), its counter (a huge count is not a wake-up; only writes are). A frontend
/// that reads its own kicks back only stops its own vif from hearing them.
/// </para>
/// </summary>
public sealed class KickPort : IDisposable
{
    private readonly Epoll _pending = new();

    /// <param name="kickFd">The kick eventfd; the caller keeps it open (a HandleLease) for this port's life.</param>
    public KickPort(int kickFd) => _pending.Add(kickFd, Epoll.In | Epoll.EdgeTriggered, 0);

    /// <summary>The instance to register in the worker's epoll (level-triggered: ready while a kick is pending).</summary>
    public Epoll Pending => _pending;

    /// <summary>Clears the pending bit; true when the frontend kicked since the last harvest.</summary>
    public bool Harvest()
    {
        Span<epoll_event> one = stackalloc epoll_event[1];
        return _pending.Wait(one, 0) > 0;
    }

    public void Dispose() => _pending.Dispose();
}
