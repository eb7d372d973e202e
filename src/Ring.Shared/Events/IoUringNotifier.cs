using Ring.Shared.Interop;
using Ring.Shared.Memory;

namespace Ring.Shared.Events;

/// <summary>
/// Signals a call eventfd through an io_uring of our own with the eventfd registered
/// (IORING_REGISTER_EVENTFD): each <see cref="Signal"/> submits one IORING_OP_NOP, whose completion
/// the kernel posts by eventfd_signal() on the eventfd's context. That path never sleeps: it adds one
/// (saturating at ULLONG_MAX instead of waiting for room) and ignores the description's O_NONBLOCK
/// and EFD_SEMAPHORE, so a frontend can neither block nor slow it. One io_uring_enter(2) per signal,
/// like the write(2) it replaces; the completion is reaped by moving the CQ head in shared memory.
/// </summary>
public sealed unsafe class IoUringNotifier : ICallNotifier
{
    /// <summary>SQ entries: one is in flight at a time; a few leave room for one the kernel refused to take.</summary>
    private const uint Entries = 4;

    private readonly FileDescriptorHandle _ring;
    private readonly HeldDescriptor _held;
    private readonly int _fd;
    private readonly MappedRegionHandle _sqRing;
    private readonly MappedRegionHandle? _cqRing;
    private readonly MappedRegionHandle _sqes;
    private readonly uint* _sqHead;
    private readonly uint* _sqTail;
    private readonly uint* _sqArray;
    private readonly uint _sqMask;
    private readonly uint _sqEntries;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly IoUring.io_uring_sqe* _sqeBase;

    /// <param name="eventfd">The frontend's call eventfd; the ring holds its own reference to the eventfd's context.</param>
    public IoUringNotifier(FileDescriptorHandle eventfd)
    {
        IoUring.io_uring_params p = default;
        int fd = IoUring.io_uring_setup(Entries, &p);
        if (fd < 0)
        {
            throw NativeError.Exception("io_uring_setup", NativeError.LastErrno);
        }
        _ring = new FileDescriptorHandle(fd);
        try
        {
            nuint sqBytes = p.sq_off.array + p.sq_entries * sizeof(uint);
            nuint cqBytes = p.cq_off.cqes + p.cq_entries * (uint)IoUring.CqeSize;
            bool single = (p.features & IoUring.IORING_FEAT_SINGLE_MMAP) != 0;
            _sqRing = MappedRegionHandle.MapShared(fd, single ? Math.Max(sqBytes, cqBytes) : sqBytes, IoUring.IORING_OFF_SQ_RING, populate: true);
            _cqRing = single ? null : MappedRegionHandle.MapShared(fd, cqBytes, IoUring.IORING_OFF_CQ_RING, populate: true);
            _sqes = MappedRegionHandle.MapShared(fd, p.sq_entries * (nuint)sizeof(IoUring.io_uring_sqe), IoUring.IORING_OFF_SQES, populate: true);
            byte* sq = (byte*)_sqRing.DangerousGetHandle();
            byte* cq = _cqRing is null ? sq : (byte*)_cqRing.DangerousGetHandle();
            _sqHead = (uint*)(sq + p.sq_off.head);
            _sqTail = (uint*)(sq + p.sq_off.tail);
            _sqArray = (uint*)(sq + p.sq_off.array);
            _sqMask = *(uint*)(sq + p.sq_off.ring_mask);
            _sqEntries = *(uint*)(sq + p.sq_off.ring_entries);
            _cqHead = (uint*)(cq + p.cq_off.head);
            _cqTail = (uint*)(cq + p.cq_off.tail);
            _sqeBase = (IoUring.io_uring_sqe*)_sqes.DangerousGetHandle();

            using var lease = new HandleLease(eventfd);
            ObjectDisposedException.ThrowIf(!lease.IsValid, eventfd);
            int target = lease.Value;
            if (IoUring.io_uring_register(fd, IoUring.IORING_REGISTER_EVENTFD, &target, 1) < 0)
            {
                throw NativeError.Exception("io_uring_register(IORING_REGISTER_EVENTFD)", NativeError.LastErrno);
            }
        }
        catch
        {
            _sqes?.Dispose();
            _cqRing?.Dispose();
            _sqRing?.Dispose();
            _ring.Dispose();
            throw;
        }
        _held = new HeldDescriptor(_ring);
        _fd = _held.Fd;
    }

    public NotifyMechanism Mechanism => NotifyMechanism.IoUring;

    public bool Signal()
    {
        uint tail = *_sqTail; // ours alone: the kernel only moves the head
        if (tail - Volatile.Read(ref *_sqHead) < _sqEntries)
        {
            uint index = tail & _sqMask;
            _sqeBase[index] = default; // IORING_OP_NOP
            _sqArray[index] = index;
            tail++;
            Volatile.Write(ref *_sqTail, tail); // release: the entry is visible before the tail
        }
        int submitted = IoUring.io_uring_enter(_fd, tail - Volatile.Read(ref *_sqHead));
        // Reap every completion: they carry nothing we need, and a full CQ would refuse submissions.
        Volatile.Write(ref *_cqHead, Volatile.Read(ref *_cqTail));
        return submitted > 0;
    }

    public void Dispose()
    {
        _held.Release();
        _sqes.Dispose();
        _cqRing?.Dispose();
        _sqRing.Dispose();
        _ring.Dispose(); // closing the ring unregisters the eventfd
    }
}
