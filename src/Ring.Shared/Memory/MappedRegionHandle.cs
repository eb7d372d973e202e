using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Memory;

/// <summary>An <c>mmap</c>ed region, unmapped exactly once when released.</summary>
public sealed unsafe class MappedRegionHandle : SafeHandle
{
    private readonly nuint _length;

    private MappedRegionHandle(void* address, nuint length) : base(IntPtr.Zero, ownsHandle: true)
    {
        _length = length;
        SetHandle((IntPtr)address);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public nuint Length => _length;

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> shared and read-write.</summary>
    internal static MappedRegionHandle MapShared(int fd, nuint length) => MapShared(fd, length, 0, populate: false);

    /// <summary>
    /// Maps <paramref name="length"/> bytes of <paramref name="fd"/> from <paramref name="offset"/>,
    /// shared and read-write; <paramref name="populate"/> faults every page in now (MAP_POPULATE).
    /// </summary>
    internal static MappedRegionHandle MapShared(int fd, nuint length, long offset, bool populate)
    {
        void* p = Interop.Sys.mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED | (populate ? MAP_POPULATE : 0), fd, offset);
        if (p == MAP_FAILED)
        {
            throw Interop.NativeError.Exception("mmap", Interop.NativeError.LastErrno);
        }
        return new MappedRegionHandle(p, length);
    }

    protected override bool ReleaseHandle() => munmap((void*)handle, (size_t)_length) == 0;
}
