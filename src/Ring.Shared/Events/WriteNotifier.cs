using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Events;

/// <summary>
/// The last resort, for a host with neither io_uring nor Linux AIO: write(2) on the shared
/// description after poll(POLLOUT) said there is room. Its weakness: between the poll and the write a
/// frontend can fill the counter and clear O_NONBLOCK (which this sets at creation), and the write
/// then sleeps until the frontend reads; the vif's teardown reports that worker stuck. The daemon
/// says so at start when it has to use this.
/// </summary>
public sealed unsafe class WriteNotifier : ICallNotifier
{
    private readonly HeldDescriptor _call;

    public WriteNotifier(FileDescriptorHandle eventfd)
    {
        _call = new HeldDescriptor(eventfd);
        int flags = fcntl(_call.Fd, F_GETFL);
        if (flags >= 0)
        {
            _ = fcntl(_call.Fd, F_SETFL, flags | O_NONBLOCK);
        }
    }

    public NotifyMechanism Mechanism => NotifyMechanism.Write;

    public bool Signal()
    {
        pollfd p = default;
        p.fd = _call.Fd;
        p.events = POLLOUT;
        if (Sys.poll(&p, 1, 0) != 1 || (p.revents & POLLOUT) == 0)
        {
            return false; // full: the frontend has not read its calls; one more would change nothing
        }
        ulong one = 1;
        return Uio.write(_call.Fd, &one, sizeof(ulong)) == sizeof(ulong);
    }

    public void Dispose() => _call.Release();
}
