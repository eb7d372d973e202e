using BenchmarkDotNet.Attributes;
using Ring.Shared.Events;
using Ring.Shared.Interop;

namespace Netback.Benchmarks;

/// <summary>
/// One notification each way, as the worker makes it. Calls (backend → frontend): a plain write(2)
/// of 1 to a non-blocking eventfd (what the worker did before, and what a frontend can wedge), against
/// the notifiers that make no system call on the frontend's description: an io_uring NOP with the
/// eventfd registered, a Linux AIO poll with IOCB_FLAG_RESFD, and the write(2) fallback with its
/// poll(POLLOUT) first. Kicks (frontend → backend), what the worker does once epoll said a kick is
/// there: read(2) of the counter before, an epoll_wait(0) on the KickPort now; each after the
/// frontend's write(2), which both pay. No waiter sleeps on the eventfds (a frontend's wake-up
/// would cost the same whatever signalled it). Every 4096 calls the counter is read back.
/// </summary>
[MemoryDiagnoser]
public unsafe class NotificationBenchmarks : IDisposable
{
    private EventChannel _call = null!;
    private ICallNotifier _uring = null!;
    private ICallNotifier _aio = null!;
    private ICallNotifier _write = null!;
    private EventChannel _kick = null!;
    private KickPort _port = null!;
    private HeldDescriptor _callFd = null!;
    private HeldDescriptor _kickFd = null!;
    private int _n;

    [GlobalSetup]
    public void Setup()
    {
        _call = EventChannel.Create();
        _callFd = new HeldDescriptor(_call.Handle);
        _uring = CallNotifier.Create(_call.Handle, NotifyMechanism.IoUring);
        _aio = CallNotifier.Create(_call.Handle, NotifyMechanism.Aio);
        _write = CallNotifier.Create(_call.Handle, NotifyMechanism.Write);
        _kick = EventChannel.Create();
        _kickFd = new HeldDescriptor(_kick.Handle);
        _port = new KickPort(_kickFd.Fd);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _port.Dispose();
        _kickFd.Release();
        _kick.Dispose();
        _write.Dispose();
        _aio.Dispose();
        _uring.Dispose();
        _callFd.Release();
        _call.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public void CallWrite()
    {
        EventChannel.Notify(_callFd.Fd);
        Reap();
    }

    [Benchmark]
    public bool CallIoUring()
    {
        bool ok = _uring.Signal();
        Reap();
        return ok;
    }

    [Benchmark]
    public bool CallAio()
    {
        bool ok = _aio.Signal();
        Reap();
        return ok;
    }

    [Benchmark]
    public bool CallWriteFallback()
    {
        bool ok = _write.Signal();
        Reap();
        return ok;
    }

    [Benchmark]
    public ulong KickRead()
    {
        EventChannel.Notify(_kickFd.Fd);
        return EventChannel.Drain(_kickFd.Fd);
    }

    [Benchmark]
    public bool KickHarvest()
    {
        EventChannel.Notify(_kickFd.Fd);
        return _port.Harvest();
    }

    /// <summary>Reads the counter back now and then, as the frontend would (not part of the figure).</summary>
    private void Reap()
    {
        if ((++_n & 4095) == 0)
        {
            EventChannel.Drain(_callFd.Fd);
        }
    }
}
