using System.Globalization;
using Ring.Shared.Memory;
using static Tmds.Linux.LibC;

namespace Netback.Tests.Shared.Memory;

/// <summary>tx-copy=map's mechanism: one read-only mmap per page of the grant area, unmapped in a batch.</summary>
public sealed unsafe class GrantPageMapperTests
{
    private const int Pages = 8;

    [Fact]
    public void A_mapped_page_is_the_area_page_itself_and_sees_later_writes()
    {
        using var area = Area();
        area.Page(5)[100] = 0x5a;
        using var mapper = new GrantPageMapper(area.Fd, Pages, capacity: 4);
        byte* p = mapper.Map(5, out int errno);
        Assert.True(p != null, $"errno {errno}");
        Assert.True(p != area.PagePointer(5), "a separate mapping, not the persistent one");
        Assert.Equal(0x5a, p[100]);
        area.Page(5)[200] = 0x77; // shared: the frontend's later write is what the backend reads
        Assert.Equal(0x77, p[200]);
        Assert.Equal(1, mapper.Count);
    }

    [Fact]
    public void Each_map_is_its_own_mapping_and_unmap_all_gives_them_back()
    {
        using var area = Area();
        using var mapper = new GrantPageMapper(area.Fd, Pages, capacity: Pages);
        var addresses = new List<nint>();
        for (uint g = 0; g < Pages; g++)
        {
            area.Page(g)[0] = (byte)(g + 1);
            byte* p = mapper.Map(g, out _);
            Assert.True(p != null);
            Assert.Equal((byte)(g + 1), p[0]);
            addresses.Add((nint)p);
        }
        Assert.Equal(Pages, addresses.Distinct().Count());
        Assert.All(addresses, a => Assert.True(IsMapped(a), $"0x{a:x} should be mapped"));

        int calls = mapper.UnmapAll();
        Assert.InRange(calls, 1, Pages); // one per run of adjacent pages
        Assert.Equal(0, mapper.Count);
        Assert.All(addresses, a => Assert.False(IsMapped(a), $"0x{a:x} should be unmapped"));
        Assert.Equal(0, mapper.UnmapAll());
    }

    [Fact]
    public void A_page_outside_the_area_or_past_the_capacity_is_not_mapped()
    {
        using var area = Area();
        using var mapper = new GrantPageMapper(area.Fd, Pages, capacity: 2);
        Assert.True(mapper.Map(Pages, out int errno) == null);
        Assert.Equal(EINVAL, errno);
        Assert.True(mapper.Map(uint.MaxValue, out errno) == null);
        Assert.Equal(EINVAL, errno);
        Assert.True(mapper.Map(1, out _) != null);
        Assert.True(mapper.Map(1, out _) != null);
        Assert.True(mapper.Map(2, out errno) == null);
        Assert.Equal(ENOSPC, errno);
        Assert.Equal(2, mapper.Count);
    }

    [Fact]
    public void Dispose_unmaps_what_is_still_mapped()
    {
        using var area = Area();
        var mapper = new GrantPageMapper(area.Fd, Pages, capacity: 2);
        nint p = (nint)mapper.Map(3, out _);
        Assert.True(IsMapped(p));
        mapper.Dispose();
        Assert.False(IsMapped(p));
    }

    /// <summary>A memfd name of this test's own: a freed address that a parallel test maps again is not ours.</summary>
    private static GrantArea Area() => GrantArea.Create(Pages, Name);

    private static readonly string Name = $"mapper-test-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>Is <paramref name="address"/> inside a mapping of this test's memfd (/proc/self/maps)?</summary>
    private static bool IsMapped(nint address)
    {
        ulong a = (ulong)address;
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            ulong lo = ulong.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong hi = ulong.Parse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (a >= lo && a < hi && line.Contains(Name, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
