using Ring.Shared.Interop;
using Ring.Shared.Memory;
using Netback.Tests.Support;
using static Tmds.Linux.LibC;

namespace Netback.Tests.Shared.Memory;

/// <summary>The grant area: a sealed memfd the backend maps only after checking it (DESIGN §2).</summary>
public sealed unsafe class GrantAreaTests
{
    private const int Pages = 4;
    private const long Bytes = Pages * GrantArea.PageSize;

    [Fact]
    public void Create_makes_a_sealed_memfd_of_the_requested_size()
    {
        using var area = GrantArea.Create(Pages);
        int seals = Native.GetSeals(area.Fd);
        Assert.Equal(GrantArea.RequiredSeals, seals & GrantArea.RequiredSeals);
        Assert.Equal(Pages, area.PageCount);
        Assert.Equal(Bytes, area.Length);
        Assert.True(area.Base != null);
        // The seals hold: the memfd cannot be resized any more.
        Assert.True(ftruncate(Native.Raw(area.Fd), Bytes / 2) < 0);
        Assert.True(ftruncate(Native.Raw(area.Fd), Bytes * 2) < 0);
    }

    [Fact]
    public void Attach_maps_the_same_pages_both_ways()
    {
        using var front = GrantArea.Create(Pages);
        using var back = GrantArea.Attach(Native.Dup(front.Fd), Pages);
        Assert.True(front.Base != back.Base);

        front.Page(3)[100] = 0xAB;
        front.PagePointer(0)[0] = 0x11;
        Assert.Equal(0xAB, back.Page(3)[100]);
        Assert.Equal(0x11, back.PagePointer(0)[0]);
        back.Page(1).Fill(0x5A);
        Assert.True(front.Page(1).IndexOfAnyExcept((byte)0x5A) < 0);
        Assert.Equal(0, front.Page(2)[0]);
    }

    [Fact]
    public void Attach_refuses_an_unsealed_memfd()
    {
        using var fd = Native.Memfd(Bytes);
        var e = Assert.Throws<GrantAreaException>(() => GrantArea.Attach(fd, Pages));
        Assert.Contains("seals", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GrantArea.F_SEAL_SHRINK | GrantArea.F_SEAL_GROW)] // can still add write seals, but not SEAL
    [InlineData(GrantArea.F_SEAL_SEAL | GrantArea.F_SEAL_GROW)] // can shrink: would SIGBUS the backend
    [InlineData(GrantArea.F_SEAL_SEAL | GrantArea.F_SEAL_SHRINK)]
    [InlineData(GrantArea.F_SEAL_SHRINK)]
    public void Attach_refuses_a_memfd_with_only_some_seals(int seals)
    {
        using var fd = Native.Memfd(Bytes, seals);
        Assert.Equal(seals, Native.GetSeals(fd));
        var e = Assert.Throws<GrantAreaException>(() => GrantArea.Attach(fd, Pages));
        Assert.Contains("seals", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Attach_refuses_a_memfd_created_without_sealing()
    {
        // Such a memfd is born with F_SEAL_SEAL only: it can never get the seals the backend needs.
        using var fd = Native.Memfd(Bytes, allowSealing: false);
        Assert.Throws<GrantAreaException>(() => GrantArea.Attach(fd, Pages));
    }

    [Theory]
    [InlineData(Pages - 1)]
    [InlineData(Pages + 1)]
    public void Attach_refuses_a_size_other_than_announced(int announced)
    {
        using var area = GrantArea.Create(Pages);
        using var fd = Native.Dup(area.Fd);
        var e = Assert.Throws<GrantAreaException>(() => GrantArea.Attach(fd, announced));
        Assert.Contains("bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Attach_refuses_a_regular_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"netback-grant-{Guid.NewGuid():N}");
        try
        {
            using (var f = File.Create(path))
            {
                f.SetLength(Bytes);
            }
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            using var fd = new FileDescriptorHandle(Native.Check(fcntl((int)file.DangerousGetHandle(), F_DUPFD_CLOEXEC, 0), "dup"));
            Assert.Throws<GrantAreaException>(() => GrantArea.Attach(fd, Pages));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Attach_refuses_an_eventfd_and_a_pipe()
    {
        using var efd = Native.Eventfd();
        var e = Assert.Throws<GrantAreaException>(() => GrantArea.Attach(efd, Pages));
        Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);

        var (r, w) = Native.Pipe();
        using (r)
        using (w)
        {
            Assert.Throws<GrantAreaException>(() => GrantArea.Attach(r, Pages));
            Assert.Throws<GrantAreaException>(() => GrantArea.Attach(w, Pages));
        }
    }

    [Fact]
    public void A_refused_fd_stays_owned_by_the_caller()
    {
        using var fd = Native.Memfd(Bytes);
        Assert.Throws<GrantAreaException>(() => GrantArea.Attach(fd, Pages));
        Assert.False(fd.IsClosed);
        Assert.True(fcntl(Native.Raw(fd), F_GETFD) >= 0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(GrantArea.MaxPages + 1)]
    public void Page_counts_outside_the_limit_are_refused(int pages)
    {
        Assert.Throws<GrantAreaException>(() => GrantArea.Create(pages));
        using var fd = Native.Memfd(Bytes, GrantArea.RequiredSeals);
        Assert.Throws<GrantAreaException>(() => GrantArea.Attach(fd, pages));
    }

    [Fact]
    public void Page_pointers_beyond_the_area_throw()
    {
        using var area = GrantArea.Create(Pages);
        Assert.True(area.PagePointer(Pages - 1) == area.Base + (Pages - 1) * GrantArea.PageSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => area.PagePointer(Pages));
        Assert.Throws<ArgumentOutOfRangeException>(() => area.Page(Pages));
        Assert.Throws<ArgumentOutOfRangeException>(() => area.Page(uint.MaxValue));
        Assert.Equal(GrantArea.PageSize, area.Page(Pages - 1).Length);
    }
}
