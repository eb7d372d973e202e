using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Events;

/// <summary>An epoll instance for one worker thread; registrations carry a caller-chosen token.</summary>
public sealed unsafe class Epoll : IDisposable
{
    private readonly FileDescriptorHandle _handle;
    private readonly HeldDescriptor _held;
    private readonly int _fd;

    public Epoll()
    {
        _handle = new FileDescriptorHandle(NativeError.ThrowIfError(epoll_create1(EPOLL_CLOEXEC), "epoll_create1"));
        _held = new HeldDescriptor(_handle); // for this object's lifetime; released in Dispose
        _fd = _held.Fd;
    }

    public const int In = 0x001;

    /// <summary>
    /// EPOLLET: report a registration once per wake-up of its file, not while it stays ready. On an
    /// eventfd every write(2) is a wake-up, whatever the counter holds, so a kick registered this way
    /// is never read and nothing the frontend does to the counter (EFD_SEMAPHORE, a huge count, a
    /// reader of its own) can make the worker read, block or spin.
    /// </summary>
    public const int EdgeTriggered = 1 << 31;

    public void Add(int fd, int events, ulong token) => Control(EPOLL_CTL_ADD, fd, events, token);

    /// <summary>Registers another epoll instance: ready while that one has events to report.</summary>
    public void Add(Epoll inner, int events, ulong token) => Control(EPOLL_CTL_ADD, inner._fd, events, token);

    /// <summary>Changes what <paramref name="inner"/> is watched for; 0 stops reporting it (the mask of a late EOI).</summary>
    public void Modify(Epoll inner, int events, ulong token) => Control(EPOLL_CTL_MOD, inner._fd, events, token);

    public void Modify(int fd, int events, ulong token) => Control(EPOLL_CTL_MOD, fd, events, token);

    public void Remove(int fd) => Control(EPOLL_CTL_DEL, fd, 0, 0);

    /// <summary>Stops watching <paramref name="inner"/> (a queue leaving a pool worker).</summary>
    public void Remove(Epoll inner) => Control(EPOLL_CTL_DEL, inner._fd, 0, 0);

    /// <summary>Waits for events; returns the count (0 on timeout or EINTR).</summary>
    public int Wait(Span<epoll_event> events, int timeoutMs)
    {
        fixed (epoll_event* p = events)
        {
            int n = Sys.epoll_wait(_fd, p, events.Length, timeoutMs);
            if (n < 0)
            {
                int errno = NativeError.LastErrno;
                if (errno == NativeError.EINTR)
                {
                    return 0;
                }
                throw NativeError.Exception("epoll_wait", errno);
            }
            return n;
        }
    }

    private void Control(int op, int fd, int events, ulong token)
    {
        epoll_event ev = default;
        ev.events = events;
        ev.data.u64 = token;
        NativeError.ThrowIfError(epoll_ctl(_fd, op, fd, &ev), "epoll_ctl");
    }

    public void Dispose()
    {
        _held.Release();
        _handle.Dispose();
    }
}
