using System.Runtime.InteropServices;

namespace Ring.Shared.Interop;

/// <summary>sys/vfs.h's fstatfs (not in Tmds.LibC): which file system a descriptor's file lives on.</summary>
internal static unsafe partial class Statfs
{
    /// <summary>linux/magic.h: shmem, which backs every memfd made without MFD_HUGETLB.</summary>
    public const long TMPFS_MAGIC = 0x01021994;

    /// <summary>linux/magic.h: what a memfd made with MFD_HUGETLB lives on.</summary>
    public const long HUGETLBFS_MAGIC = 0x958458f6;

    /// <summary>struct statfs on LP64 (120 bytes): only f_type, its first field, is read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 120)]
    public struct statfs
    {
        [FieldOffset(0)] public long f_type;
    }

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int fstatfs(int fd, statfs* buf);
}
