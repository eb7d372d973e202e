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

    // (bytes - 256) / stride rounded down to a power of two; TX stride 16, RX stride 8.
    public static TheoryData<RingKind, int, uint> CachelineSizes => new()
    {
        { RingKind.Tx, 0, 128 }, { RingKind.Tx, 1, 256 }, { RingKind.Tx, 2, 512 }, { RingKind.Tx, 3, 1024 }, { RingKind.Tx, 4, 2048 },
        { RingKind.Rx, 0, 256 }, { RingKind.Rx, 1, 512 }, { RingKind.Rx, 2, 1024 }, { RingKind.Rx, 3, 2048 }, { RingKind.Rx, 4, 4096 },
    };

    [Theory]
    [MemberData(nameof(CachelineSizes))]
    public void Cacheline_layout_separates_indices_and_never_straddles_a_line(RingKind kind, int order, uint expected)
    {
        var g = RingGeometry.For(kind, RingLayout.Cacheline, order);
        Assert.Equal(expected, g.Size);
        Assert.Equal(kind == RingKind.Tx ? 16 : 8, g.SlotStride);
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
        }
        Assert.True(g.HeaderSize + g.Size * (uint)g.SlotStride <= (uint)g.Bytes);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    public void Orders_outside_0_to_4_are_refused(int order)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RingGeometry.For(RingKind.Tx, RingLayout.Xen, order));
        Assert.Throws<ArgumentOutOfRangeException>(() => RingGeometry.For(RingKind.Rx, RingLayout.Cacheline, order));
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
        Assert.False(RingLayoutNames.TryParse("Xen", out _));
        Assert.False(RingLayoutNames.TryParse(null, out _));
    }
}
