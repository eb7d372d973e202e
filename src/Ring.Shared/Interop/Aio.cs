using System.Runtime.InteropServices;

namespace Ring.Shared.Interop;

/// <summary>
/// linux/aio_abi.h, as much as <see cref="Events.AioNotifier"/> needs: Linux native AIO, whose
/// requests may name an eventfd (IOCB_FLAG_RESFD) that the kernel signals with eventfd_signal when
/// they complete; an IOCB_CMD_POLL on a descriptor that is always ready completes inside io_submit.
/// Declared here with SetLastError (Tmds.LibC has the structs but its imports do not capture errno).
/// </summary>
internal static unsafe partial class Aio
{
    public const ushort IOCB_CMD_POLL = 5;
    public const uint IOCB_FLAG_RESFD = 1 << 0;
    public const ulong POLLIN = 0x001;

    /// <summary>struct iocb: 64 bytes (little-endian: aio_key before aio_rw_flags).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct iocb
    {
        [FieldOffset(0)] public ulong aio_data;
        [FieldOffset(16)] public ushort aio_lio_opcode;
        [FieldOffset(20)] public uint aio_fildes;
        [FieldOffset(24)] public ulong aio_buf;
        [FieldOffset(56)] public uint aio_flags;
        [FieldOffset(60)] public uint aio_resfd;
    }

    /// <summary>The header of the completion ring the kernel maps at the context's address (fs/aio.c struct aio_ring).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct aio_ring
    {
        public uint id, nr, head, tail, magic, compat_features, incompat_features, header_length;
    }

    public const uint AIO_RING_MAGIC = 0xa10a10a1;

    [LibraryImport(Libc.Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall(long number, long a1, long a2, long a3);

    // Unlike io_uring's, the AIO call numbers differ between architectures.
    private static long Nr(long x64, long arm64) =>
        RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? arm64 : x64;

    public static int io_setup(uint nrEvents, ulong* context) => (int)syscall(Nr(206, 0), nrEvents, (long)context, 0);

    public static int io_destroy(ulong context) => (int)syscall(Nr(207, 1), (long)context, 0, 0);

    public static int io_submit(ulong context, long count, iocb** iocbs) => (int)syscall(Nr(209, 2), (long)context, count, (long)iocbs);
}
