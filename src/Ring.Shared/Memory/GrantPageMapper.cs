using System.Runtime.InteropServices;
using Ring.Shared.Interop;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Memory;

/// <summary>
/// Maps single pages of a grant area on demand and unmaps them in a batch: the grant-map model of
/// Xen's netback (<c>gnttab_map_refcount</c> per request, one <c>gnttab_batch_unmap</c> per round)
/// over a memfd, for the backend's <c>tx-copy=map</c>. Each <see cref="Map"/> is one <c>mmap</c>
/// (read-only, shared, at the page's offset in the memfd); <see cref="UnmapAll"/> gives every page
/// back with one <c>munmap</c> per run of adjacent mappings, so the TLB shoot-down of an unmap is paid
/// once per run, as a batched grant unmap pays it. Single-threaded (the queue's worker); nothing is
/// allocated after construction. Holds a reference on the memfd so its number stays ours until
/// <see cref="Dispose"/>.
/// </summary>
public sealed unsafe class GrantPageMapper : IDisposable
{
    private readonly FileDescriptorHandle _fd;
    private readonly int _raw;
    private readonly int _pageCount;
    private nint* _mapped;
    private bool _referenced;

    /// <param name="area">The grant area's memfd (the mapper holds a reference on it while it lives).</param>
    /// <param name="pageCount">Pages in the area: a page index beyond it is never mapped.</param>
    /// <param name="capacity">Mappings held at once before <see cref="UnmapAll"/> must run.</param>
    public GrantPageMapper(FileDescriptorHandle area, int pageCount, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _fd = area;
        _fd.DangerousAddRef(ref _referenced);
        _raw = (int)_fd.DangerousGetHandle();
        _pageCount = pageCount;
        Capacity = capacity;
        _mapped = (nint*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(nint));
    }

    public int Capacity { get; }

    /// <summary>Pages mapped and not yet unmapped.</summary>
    public int Count { get; private set; }

    /// <summary>Room left before <see cref="UnmapAll"/> is needed.</summary>
    public int Free => Capacity - Count;

    /// <summary>
    /// Maps page <paramref name="gref"/> read-only. Null when it cannot be mapped (<paramref name="errno"/>
    /// says why: ENOMEM when the process is out of mappings, EINVAL for a page outside the area,
    /// ENOSPC here when the batch is full); the caller drops what needed it.
    /// </summary>
    public byte* Map(uint gref, out int errno)
    {
        if (gref >= (uint)_pageCount)
        {
            errno = NativeError.EINVAL;
            return null;
        }
        if (Count == Capacity)
        {
            errno = ENOSPC;
            return null;
        }
        void* p = Sys.mmap(null, (nuint)GrantArea.PageSize, PROT_READ, MAP_SHARED, _raw, (long)gref * GrantArea.PageSize);
        if (p == MAP_FAILED)
        {
            errno = NativeError.LastErrno;
            return null;
        }
        errno = 0;
        _mapped[Count++] = (nint)p;
        return (byte*)p;
    }

    /// <summary>
    /// Unmaps every page mapped since the last call, one <c>munmap</c> per run of adjacent pages
    /// (only pages of ours are ever joined: each run is made of mappings this batch holds).
    /// Returns the number of <c>munmap</c> calls.
    /// </summary>
    public int UnmapAll()
    {
        int n = Count;
        if (n == 0)
        {
            return 0;
        }
        var pages = new Span<nint>(_mapped, n);
        pages.Sort(); // in place, no allocation: the kernel tends to place each new mapping below the last
        int calls = 0;
        nint start = pages[0];
        nint end = start + GrantArea.PageSize;
        for (int i = 1; i <= n; i++)
        {
            if (i < n && pages[i] == end)
            {
                end += GrantArea.PageSize;
                continue;
            }
            // munmap of a range we mapped fails only for a bad argument: nothing to recover.
            Sys.munmap((void*)start, (nuint)(end - start));
            calls++;
            if (i < n)
            {
                start = pages[i];
                end = start + GrantArea.PageSize;
            }
        }
        Count = 0;
        return calls;
    }

    public void Dispose()
    {
        if (_mapped != null)
        {
            UnmapAll();
            NativeMemory.Free(_mapped);
            _mapped = null;
        }
        if (_referenced)
        {
            _fd.DangerousRelease();
            _referenced = false;
        }
    }
}
