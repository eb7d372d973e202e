using System.Net.Sockets;
using Ring.Shared.Interop;
using Ring.Shared.Memory;
using Netback.Tests.Support;

namespace Netback.Tests.Fuzz;

/// <summary>
/// Descriptors of every wrong kind a hostile frontend can pass in place of the grant area or an
/// eventfd. Made once per fuzzer and sent again and again: SCM_RIGHTS gives the backend its own
/// copy each time, and the fd baseline at the end shows whether it closed every one.
/// </summary>
internal sealed unsafe class BogusFds : IDisposable
{
    private const uint MFD_HUGETLB = 0x0004;
    private const int F_SEAL_WRITE = 0x0008;
    private const int F_SEAL_FUTURE_WRITE = 0x0010;

    private readonly List<IDisposable> _owned = [];
    private readonly string _file;

    public BogusFds()
    {
        var (read, write) = Native.Pipe();
        _owned.Add(write);
        _file = Path.GetTempFileName();
        File.WriteAllBytes(_file, new byte[HostileFrontend.GrantPages * GrantArea.PageSize]);
        FileDescriptorHandle regular;
        using (var fs = File.OpenHandle(_file, FileMode.Open, FileAccess.ReadWrite))
        {
            regular = Native.Dup(new FileDescriptorHandle((int)fs.DangerousGetHandle(), ownsHandle: false));
        }
        var (socket, peer) = TapSocketPair.Create();
        _owned.Add(peer);
        long rightSize = (long)HostileFrontend.GrantPages * GrantArea.PageSize;
        All =
        [
            read,
            regular,
            Native.Memfd(rightSize),                                        // unsealed
            Native.Memfd(rightSize, allowSealing: false),                   // cannot even be sealed
            Native.Memfd(rightSize + GrantArea.PageSize, GrantArea.RequiredSeals), // wrong size
            Native.Memfd(GrantArea.PageSize, GrantArea.RequiredSeals),       // too small for its rings
            socket,
            Native.Eventfd(),                                               // right kind for a channel, wrong for the area
        ];
        _owned.AddRange(All);
        var areas = new List<(string, FileDescriptorHandle)>
        {
            ("write-sealed", Native.Memfd(rightSize, GrantArea.RequiredSeals | F_SEAL_WRITE)),
            ("future-write-sealed", Native.Memfd(rightSize, GrantArea.RequiredSeals | F_SEAL_FUTURE_WRITE)),
        };
        if (HugeMemfd() is { } huge)
        {
            areas.Add(("hugetlbfs", huge)); // needs no huge page until someone maps it: the backend must not
        }
        GrantAreas = [.. areas];
        _owned.AddRange(areas.Select(a => a.Item2));
    }

    /// <summary>Sealed memfds of the right kind and size for a grant area, yet to be refused.</summary>
    public (string Kind, FileDescriptorHandle Fd)[] GrantAreas { get; }

    public (string Kind, FileDescriptorHandle Fd) PickGrantArea(Random rng) => GrantAreas[rng.Next(GrantAreas.Length)];

    /// <summary>A sealed 2 MiB memfd on hugetlbfs, or null where the kernel has none.</summary>
    private static FileDescriptorHandle? HugeMemfd()
    {
        byte[] name = System.Text.Encoding.ASCII.GetBytes("fuzz-huge\0");
        int fd;
        fixed (byte* n = name)
        {
            fd = Tmds.Linux.LibC.memfd_create(n, Native.MFD_CLOEXEC | Native.MFD_ALLOW_SEALING | MFD_HUGETLB);
        }
        if (fd < 0)
        {
            return null;
        }
        var handle = new FileDescriptorHandle(fd);
        if (Tmds.Linux.LibC.ftruncate(fd, 2 << 20) < 0 || Tmds.Linux.LibC.fcntl(fd, Tmds.Linux.LibC.F_ADD_SEALS, GrantArea.RequiredSeals) < 0)
        {
            handle.Dispose();
            return null;
        }
        return handle;
    }

    public FileDescriptorHandle[] All { get; }

    public FileDescriptorHandle Pick(Random rng) => All[rng.Next(All.Length)];

    public void Dispose()
    {
        foreach (var d in _owned)
        {
            d.Dispose();
        }
        File.Delete(_file);
    }
}
