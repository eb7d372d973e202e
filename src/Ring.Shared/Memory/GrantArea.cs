using System.Text;
using Ring.Shared.Abi;
using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Memory;

/// <summary>
/// The frontend's shared memory: one sealed memfd of 4 KiB pages, mapped once. A grant reference
/// (gref) is a page index. The frontend creates it; the backend maps what it was given only after
/// checking that it is a memfd on tmpfs, sealed against shrinking and growing and not against
/// writing, of exactly the announced size. Every way the frontend could take a page away from under
/// the backend's mapping (which turns the backend's next access into SIGBUS) is thereby closed: it
/// cannot shrink the file, and on tmpfs a hole it punches is refilled with a fresh page on the next
/// access, where on hugetlbfs the fault needs a huge page from a pool the frontend can empty.
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
    public const int F_SEAL_WRITE = 0x0008;
    public const int F_SEAL_FUTURE_WRITE = 0x0010;

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

    /// <summary>The mapping's handle, which a <see cref="MappingLease"/> holds.</summary>
    internal MappedRegionHandle Mapping => _mapping;

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
    /// on tmpfs with the required seals, no write seal, and exactly <paramref name="expectedPages"/>
    /// pages. Takes ownership of <paramref name="fd"/> on success only: when it throws, the caller
    /// still owns the fd and closes it at once (a refused 1 GiB memfd must not wait for a finalizer).
    /// </summary>
    /// <exception cref="GrantAreaException">The area is refused; the message says why.</exception>
    public static GrantArea Attach(FileDescriptorHandle fd, int expectedPages)
    {
        ValidatePageCount(expectedPages);
        using var lease = new HandleLease(fd);
        ObjectDisposedException.ThrowIf(!lease.IsValid, fd);
        int raw = lease.Value;
        stat st;
        if (fstat(raw, &st) < 0)
        {
            throw new GrantAreaException($"the grant area cannot be examined: fstat failed (errno {NativeError.LastErrno})");
        }
        if ((st.st_mode & S_IFMT) != S_IFREG)
        {
            throw new GrantAreaException("the grant area is not a regular file (memfd expected)");
        }
        int seals = fcntl(raw, F_GET_SEALS);
        if (seals < 0)
        {
            throw new GrantAreaException("the grant area is not a memfd that supports sealing");
        }
        Statfs.statfs fs;
        if (Statfs.fstatfs(raw, &fs) < 0)
        {
            throw new GrantAreaException($"the grant area cannot be examined: fstatfs failed (errno {NativeError.LastErrno})");
        }
        if (fs.f_type == Statfs.HUGETLBFS_MAGIC)
        {
            throw new GrantAreaException("the grant area is on hugetlbfs (memfd_create with MFD_HUGETLB): a page punched out of it "
                + "faults back only from the huge page pool, which the frontend can empty, so it is refused; use a plain memfd (tmpfs)");
        }
        if (fs.f_type != Statfs.TMPFS_MAGIC)
        {
            throw new GrantAreaException($"the grant area is not on tmpfs (file system magic 0x{fs.f_type:x}): a memfd without MFD_HUGETLB is required");
        }
        if ((seals & RequiredSeals) != RequiredSeals)
        {
            throw new GrantAreaException($"the grant area memfd lacks required seals (has 0x{seals:x}, needs SEAL|SHRINK|GROW 0x{RequiredSeals:x})");
        }
        if ((seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) != 0)
        {
            throw new GrantAreaException($"the grant area memfd is write-sealed (seals 0x{seals:x} include F_SEAL_WRITE or F_SEAL_FUTURE_WRITE): "
                + "the backend writes received frames and responses into it, so it must be writable");
        }
        long expected = (long)expectedPages * PageSize;
        if ((long)st.st_size != expected)
        {
            throw new GrantAreaException($"the grant area is {(long)st.st_size} bytes, the handshake announced {expected} ({expectedPages} pages)");
        }
        MappedRegionHandle mapping;
        try
        {
            mapping = MappedRegionHandle.MapShared(raw, (nuint)expected);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new GrantAreaException($"the grant area cannot be mapped: {e.Message}", e);
        }
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
