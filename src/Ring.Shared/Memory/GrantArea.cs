using System.Text;
using Ring.Shared.Abi;
using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Memory;

/// <summary>
/// The frontend's shared memory: one sealed memfd of 4 KiB pages, mapped once. A grant reference
/// (gref) is a page index. The frontend creates it; the backend maps what it was given only after
/// checking that it is a sealed memfd of exactly the announced size, so the frontend cannot shrink
/// it under the backend (which would turn the backend's accesses into SIGBUS).
/// </summary>
public sealed unsafe class GrantArea : IDisposable
{
    public const int PageSize = NetifLimits.PageSize;

    // linux/memfd.h and linux/fcntl.h
    private const uint MFD_CLOEXEC = 0x0001;
    private const uint MFD_ALLOW_SEALING = 0x0002;
    public const int F_SEAL_SEAL = 0x0001;
    public const int F_SEAL_SHRINK = 0x0002;
    public const int F_SEAL_GROW = 0x0004;

    /// <summary>The seals the backend insists on.</summary>
    public const int RequiredSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW;

    /// <summary>Upper bound on the area (1 GiB): a frontend cannot make the backend map more.</summary>
    public const int MaxPages = 1 << 18;

    private readonly MappedRegionHandle _mapping;
    private readonly byte* _base;

    private GrantArea(FileDescriptorHandle fd, MappedRegionHandle mapping, int pages)
    {
        Fd = fd;
        _mapping = mapping;
        _base = (byte*)mapping.DangerousGetHandle();
        PageCount = pages;
    }

    /// <summary>The memfd, to be passed to the backend with SCM_RIGHTS.</summary>
    public FileDescriptorHandle Fd { get; }

    public int PageCount { get; }

    public long Length => (long)PageCount * PageSize;

    /// <summary>Start of the mapping; valid until <see cref="Dispose"/>.</summary>
    public byte* Base => _base;

    /// <summary>Creates, sizes, seals and maps a new area (frontend side).</summary>
    public static GrantArea Create(int pages, string name = "netfront-grants")
    {
        ValidatePageCount(pages);
        byte[] nameBytes = Encoding.ASCII.GetBytes(name + "\0");
        int fd;
        fixed (byte* n = nameBytes)
        {
            fd = NativeError.ThrowIfError(memfd_create(n, MFD_CLOEXEC | MFD_ALLOW_SEALING), "memfd_create");
        }
        var handle = new FileDescriptorHandle(fd);
        try
        {
            NativeError.ThrowIfError(ftruncate(fd, (long)pages * PageSize), "ftruncate");
            NativeError.ThrowIfError(fcntl(fd, F_ADD_SEALS, RequiredSeals), "fcntl(F_ADD_SEALS)");
            var mapping = MappedRegionHandle.MapShared(fd, (nuint)((long)pages * PageSize));
            return new GrantArea(handle, mapping, pages);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps an area received from a frontend (backend side), refusing anything but a regular memfd
    /// with the required seals and exactly <paramref name="expectedPages"/> pages. Takes ownership of
    /// <paramref name="fd"/> on success.
    /// </summary>
    public static GrantArea Attach(FileDescriptorHandle fd, int expectedPages)
    {
        ValidatePageCount(expectedPages);
        using var lease = new HandleLease(fd);
        ObjectDisposedException.ThrowIf(!lease.IsValid, fd);
        int raw = lease.Value;
        stat st;
        NativeError.ThrowIfError(fstat(raw, &st), "fstat(grant area)");
        if ((st.st_mode & S_IFMT) != S_IFREG)
        {
            throw new GrantAreaException("the grant area is not a regular file (memfd expected)");
        }
        int seals = fcntl(raw, F_GET_SEALS);
        if (seals < 0)
        {
            throw new GrantAreaException("the grant area is not a memfd that supports sealing");
        }
        if ((seals & RequiredSeals) != RequiredSeals)
        {
            throw new GrantAreaException($"the grant area memfd lacks required seals (has 0x{seals:x}, needs SEAL|SHRINK|GROW 0x{RequiredSeals:x})");
        }
        long expected = (long)expectedPages * PageSize;
        if ((long)st.st_size != expected)
        {
            throw new GrantAreaException($"the grant area is {(long)st.st_size} bytes, the handshake announced {expected} ({expectedPages} pages)");
        }
        var mapping = MappedRegionHandle.MapShared(raw, (nuint)expected);
        return new GrantArea(fd, mapping, expectedPages);
    }

    /// <summary>The address of page <paramref name="gref"/>; callers validate the gref first.</summary>
    public byte* PagePointer(uint gref)
    {
        if (gref >= (uint)PageCount)
        {
            throw new ArgumentOutOfRangeException(nameof(gref), gref, $"gref beyond the {PageCount}-page grant area");
        }
        return _base + (nint)gref * PageSize;
    }

    public Span<byte> Page(uint gref) => new(PagePointer(gref), PageSize);

    public void Dispose()
    {
        _mapping.Dispose();
        Fd.Dispose();
    }

    private static void ValidatePageCount(int pages)
    {
        if (pages <= 0 || pages > MaxPages)
        {
            throw new GrantAreaException($"grant area of {pages} pages is outside 1..{MaxPages}");
        }
    }
}
