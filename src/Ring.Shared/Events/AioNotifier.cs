using System.Runtime.InteropServices;
using Ring.Shared.Interop;

namespace Ring.Shared.Events;

/// <summary>
/// Signals a call eventfd through Linux native AIO, where io_uring is unavailable: each
/// <see cref="Signal"/> submits an IOCB_CMD_POLL for POLLIN on an eventfd of ours that is always
/// readable, with IOCB_FLAG_RESFD naming the frontend's eventfd. The poll completes inside
/// io_submit(2), and aio_complete() signals the eventfd with eventfd_signal(): never blocking, whatever
/// the frontend did to the description. The completion is reaped by moving the head of the
/// completion ring the kernel maps at the context's address.
/// <para>
/// Its weakness is a shared budget, not a wedge: every context reserves events from fs.aio-max-nr,
/// which the whole host shares (at least 4 × CPUs × 2 per context, so 128 contexts on a 64-CPU host
/// with the default 65536): past it io_setup fails with EAGAIN and the vif is refused.
/// </para>
/// </summary>
public sealed unsafe class AioNotifier : ICallNotifier
{
    /// <summary>An eventfd with a count of 1 that nobody reads: POLLIN for ever, shared by every AioNotifier.</summary>
    private static readonly Lazy<FileDescriptorHandle> AlwaysReady = new(() =>
    {
        var ready = EventChannel.Create().Handle;
        using var lease = new HandleLease(ready);
        EventChannel.Notify(lease.Value);
        return ready;
    });

    private readonly ulong _context;
    private readonly Aio.aio_ring* _completions;
    private readonly HeldDescriptor _call;
    private readonly HeldDescriptor _ready;
    private Aio.iocb* _iocb;
    private Aio.iocb** _list;

    public AioNotifier(FileDescriptorHandle eventfd)
    {
        ulong context = 0;
        if (Aio.io_setup(1, &context) < 0)
        {
            throw NativeError.Exception("io_setup", NativeError.LastErrno);
        }
        _context = context;
        _completions = (Aio.aio_ring*)context;
        if (_completions->magic != Aio.AIO_RING_MAGIC)
        {
            _ = Aio.io_destroy(context);
            throw new InvalidOperationException("the AIO completion ring is not where the kernel ABI puts it");
        }
        _call = new HeldDescriptor(eventfd);
        _ready = new HeldDescriptor(AlwaysReady.Value);
        _iocb = (Aio.iocb*)NativeMemory.AllocZeroed((nuint)sizeof(Aio.iocb));
        _list = (Aio.iocb**)NativeMemory.AllocZeroed((nuint)sizeof(Aio.iocb*));
        _iocb->aio_lio_opcode = Aio.IOCB_CMD_POLL;
        _iocb->aio_fildes = (uint)_ready.Fd;
        _iocb->aio_buf = Aio.POLLIN;
        _iocb->aio_flags = Aio.IOCB_FLAG_RESFD;
        _iocb->aio_resfd = (uint)_call.Fd;
        *_list = _iocb;
    }

    public NotifyMechanism Mechanism => NotifyMechanism.Aio;

    public bool Signal()
    {
        int submitted = Aio.io_submit(_context, 1, _list);
        Volatile.Write(ref _completions->head, Volatile.Read(ref _completions->tail));
        return submitted == 1;
    }

    public void Dispose()
    {
        if (_iocb == null)
        {
            return;
        }
        _ = Aio.io_destroy(_context);
        NativeMemory.Free(_iocb);
        NativeMemory.Free(_list);
        _iocb = null;
        _list = null;
        _call.Release();
        _ready.Release();
    }
}
