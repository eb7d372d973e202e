using System.Runtime.InteropServices;

namespace Ring.Shared.Interop;

/// <summary>
/// linux/io_uring.h, as much as <see cref="Events.IoUringNotifier"/> needs: a ring of a few entries
/// whose completions signal a registered eventfd (IORING_REGISTER_EVENTFD) through the kernel's
/// eventfd_signal, which never blocks and ignores the eventfd's O_NONBLOCK and EFD_SEMAPHORE. Not in
/// Tmds.LibC; the three system calls go through syscall(2) (their numbers are the same on every
/// architecture: io_uring came after the unified syscall table).
/// </summary>
internal static unsafe partial class IoUring
{
    private const long SYS_io_uring_setup = 425;
    private const long SYS_io_uring_enter = 426;
    private const long SYS_io_uring_register = 427;

    public const uint IORING_REGISTER_EVENTFD = 4;
    public const long IORING_OFF_SQ_RING = 0;
    public const long IORING_OFF_CQ_RING = 0x8000000;
    public const long IORING_OFF_SQES = 0x10000000;
    public const uint IORING_FEAT_SINGLE_MMAP = 1 << 0;
    public const byte IORING_OP_NOP = 0;

    [StructLayout(LayoutKind.Sequential)]
    public struct io_sqring_offsets
    {
        public uint head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
        public ulong user_addr;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct io_cqring_offsets
    {
        public uint head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
        public ulong user_addr;
    }

    /// <summary>struct io_uring_params: 120 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct io_uring_params
    {
        public uint sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd;
        public fixed uint resv[3];
        public io_sqring_offsets sq_off;
        public io_cqring_offsets cq_off;
    }

    /// <summary>struct io_uring_sqe: 64 bytes; all zero is a NOP.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct io_uring_sqe
    {
        [FieldOffset(0)] public byte opcode;
        [FieldOffset(1)] public byte flags;
        [FieldOffset(4)] public int fd;
        [FieldOffset(32)] public ulong user_data;
    }

    /// <summary>struct io_uring_cqe: 16 bytes.</summary>
    public const int CqeSize = 16;

    [LibraryImport(Libc.Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    public static int io_uring_setup(uint entries, io_uring_params* p) =>
        (int)syscall(SYS_io_uring_setup, entries, (long)p, 0, 0, 0, 0);

    /// <summary>Submits <paramref name="toSubmit"/> entries; waits for none (min_complete 0, no flags).</summary>
    public static int io_uring_enter(int fd, uint toSubmit) =>
        (int)syscall(SYS_io_uring_enter, fd, toSubmit, 0, 0, 0, 0);

    public static int io_uring_register(int fd, uint opcode, void* arg, uint nrArgs) =>
        (int)syscall(SYS_io_uring_register, fd, opcode, (long)arg, nrArgs, 0, 0);
}
