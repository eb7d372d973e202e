using Ring.Shared.Rings;

namespace Netback.Tests.Shared.Abi;

/// <summary>Ring sizes and header layouts for both layouts and every page order (fact sheet §1.1, §1.2).</summary>
public sealed class RingGeometryTests
{
    public static TheoryData<RingKind, int, uint> XenSizes => new()
    {
        { RingKind.Tx, 0, 256 }, { RingKind.Tx, 1, 512 }, { RingKind.Tx, 2, 1024 }, { RingKind.Tx, 3, 2048 }, { RingKind.Tx, 4, 4096 },
        { RingKind.Rx, 0, 256 }, { RingKind.Rx, 1, 512 }, { RingKind.Rx, 2, 1024 }, { RingKind.Rx, 3, 2048 }, { RingKind.Rx, 4, 4096 },
    };

    [Theory]
    [MemberData(nameof(XenSizes))]
    public void Xen_layout_matches_const_ring_size(RingKind kind, int order, uint expected)
    {
        var g = RingGeometry.For(kind, RingLayout.Xen, order);
        Assert.Equal(expected, g.Size);
        Assert.Equal(64, g.HeaderSize);
        Assert.Equal((0, 4, 8, 12), (g.ReqProdOffset, g.ReqEventOffset, g.RspProdOffset, g.RspEventOffset));
        Assert.Equal(kind == RingKind.Tx ? 12 : 8, g.SlotStride);
        Assert.Equal(1 << order, g.Pages);
        Assert.Equal(4096 << order, g.Bytes);
        Assert.True(g.HeaderSize + g.Size * (uint)g.SlotStride <= (uint)g.Bytes);
    }

    // Xen's slot count at every order (equal sizes); pages = ceil((256 + slots * stride) / 4096).
    public static TheoryData<RingLayout, RingKind, int, uint, int, int> SeparatedSizes => new()
    {
        { RingLayout.Cacheline, RingKind.Tx, 0, 256, 16, 2 }, { RingLayout.Cacheline, RingKind.Tx, 4, 4096, 16, 17 },
        { RingLayout.Cacheline, RingKind.Rx, 0, 256, 8, 1 }, { RingLayout.Cacheline, RingKind.Rx, 1, 512, 8, 2 },
        { RingLayout.Cacheline, RingKind.Rx, 4, 4096, 8, 9 },
        { RingLayout.CachelineSlot, RingKind.Tx, 0, 256, 64, 5 }, { RingLayout.CachelineSlot, RingKind.Tx, 4, 4096, 64, 65 },
        { RingLayout.CachelineSlot, RingKind.Rx, 0, 256, 64, 5 }, { RingLayout.CachelineSlot, RingKind.Rx, 2, 1024, 64, 17 },
    };

    [Theory]
    [MemberData(nameof(SeparatedSizes))]
    public void Cacheline_layouts_separate_indices_never_straddle_a_line_and_span_the_pages_they_need(
        RingLayout layout, RingKind kind, int order, uint slots, int stride, int pages)
    {
        var g = RingGeometry.For(kind, layout, order);
        Assert.Equal(slots, g.Size);
        Assert.Equal(RingGeometry.For(kind, RingLayout.Xen, order).Size, g.Size); // compared at equal sizes
        Assert.Equal(stride, g.SlotStride);
        Assert.Equal(pages, g.Pages);
        Assert.Equal(pages * 4096, g.Bytes);
        int[] indices = [g.ReqProdOffset, g.ReqEventOffset, g.RspProdOffset, g.RspEventOffset];
        Assert.Equal(new[] { 0, 64, 128, 192 }, indices);
        // Every index is on its own line, and the slots start on a fresh line after the last one.
        Assert.Equal(4, indices.Select(o => o / 64).Distinct().Count());
        Assert.All(indices, o => Assert.True(o / 64 < g.HeaderSize / 64));
        Assert.Equal(0, g.HeaderSize % 64);
        for (uint i = 0; i < g.Size; i++)
        {
            long start = g.HeaderSize + i * (long)g.SlotStride;
            Assert.Equal(start / 64, (start + g.SlotStride - 1) / 64);
            if (layout == RingLayout.CachelineSlot)
            {
                Assert.Equal(0, start % 64); // one slot per line: no neighbour shares it
            }
        }
        Assert.True(g.HeaderSize + g.Size * (uint)g.SlotStride <= (uint)g.Bytes);
        Assert.True(g.HeaderSize + g.Size * (uint)g.SlotStride > (uint)(g.Bytes - 4096), "no whole page to spare");
    }

    [Theory]
    [InlineData(RingKind.Tx)]
    [InlineData(RingKind.Rx)]
    public void Every_layout_has_the_same_slot_count_at_every_order(RingKind kind)
    {
        for (int order = 0; order <= 4; order++)
        {
            uint xen = RingGeometry.For(kind, RingLayout.Xen, order).Size;
            Assert.Equal(xen, RingGeometry.For(kind, RingLayout.Cacheline, order).Size);
            Assert.Equal(xen, RingGeometry.For(kind, RingLayout.CachelineSlot, order).Size);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    public void Orders_outside_0_to_4_are_refused(int order)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RingGeometry.For(RingKind.Tx, RingLayout.Xen, order));
        Assert.Throws<ArgumentOutOfRangeException>(() => RingGeometry.For(RingKind.Rx, RingLayout.Cacheline, order));
        Assert.Throws<ArgumentOutOfRangeException>(() => RingGeometry.For(RingKind.Tx, RingLayout.CachelineSlot, order));
    }

    [Theory]
    [InlineData(0u, 0u)]
    [InlineData(1u, 1u)]
    [InlineData(336u, 256u)]
    [InlineData(504u, 256u)]
    [InlineData(512u, 512u)]
    [InlineData(uint.MaxValue, 0x8000_0000u)]
    public void RoundDownToPowerOfTwo_is_rd32(uint x, uint expected) =>
        Assert.Equal(expected, RingGeometry.RoundDownToPowerOfTwo(x));

    [Fact]
    public void Layout_names_round_trip()
    {
        Assert.Equal("xen", RingLayout.Xen.ToKey());
        Assert.Equal("cacheline", RingLayout.Cacheline.ToKey());
        Assert.True(RingLayoutNames.TryParse("cacheline", out var l) && l == RingLayout.Cacheline);
        Assert.True(RingLayoutNames.TryParse("xen", out l) && l == RingLayout.Xen);
        Assert.Equal("cacheline-slot", RingLayout.CachelineSlot.ToKey());
        Assert.True(RingLayoutNames.TryParse("cacheline-slot", out l) && l == RingLayout.CachelineSlot);
        Assert.False(RingLayoutNames.TryParse("cacheline_slot", out _));
        Assert.False(RingLayoutNames.TryParse("", out _));
        Assert.False(RingLayoutNames.TryParse("Xen", out _));
        Assert.False(RingLayoutNames.TryParse(null, out _));
    }
}
