using System.Buffers.Binary;
using Ring.Shared.Control;
using static Netback.Tests.Shared.Control.RawRecord;

namespace Netback.Tests.Shared.Control;

/// <summary>The control-message wire format and every way a record is refused (protocol.md, Transport).</summary>
public sealed class ControlCodecTests
{
    private static ControlMessage Sample() => new ControlMessage(ControlMessageType.Connect)
        .Set("state", 4)
        .Set("multi-queue-num-queues", 2)
        .Set("queue-1/tx-ring-ref", "17")
        .Set("vifspec", "mac=00:16:3e:01:02:03,vifname=vif7.0")
        .Set("feature_x", "grüße ✓")
        .Set("empty", "");

    private static ControlProtocolException Refused(byte[] record, int fds = 0) =>
        Assert.Throws<ControlProtocolException>(() => ControlCodec.Decode(record, fds));

    [Fact]
    public void Round_trip_keeps_type_entries_order_and_fd_count()
    {
        var message = Sample();
        byte[] record = ControlCodec.Encode(message, 5);
        Assert.Equal(ControlCodec.Magic, BinaryPrimitives.ReadUInt32LittleEndian(record));
        Assert.Equal("NBCT"u8.ToArray(), record[..4]);
        Assert.Equal(5, BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(14)));
        var decoded = ControlCodec.Decode(record, 5);
        Assert.Equal(ControlMessageType.Connect, decoded.Type);
        Assert.Equal(message.Entries, decoded.Entries);
        Assert.Equal("grüße ✓", decoded.Get("feature_x"));
    }

    [Theory]
    [InlineData(ControlMessageType.Hello)]
    [InlineData(ControlMessageType.Error)]
    [InlineData(ControlMessageType.AdminRequest)]
    [InlineData(ControlMessageType.AdminReply)]
    public void An_empty_message_is_a_bare_header(ControlMessageType type)
    {
        byte[] record = ControlCodec.Encode(new ControlMessage(type), 0);
        Assert.Equal(ControlCodec.HeaderSize, record.Length);
        var decoded = ControlCodec.Decode(record, 0);
        Assert.Equal(type, decoded.Type);
        Assert.Empty(decoded.Entries);
    }

    [Fact]
    public void Raw_builder_agrees_with_the_encoder()
    {
        byte[] raw = Build(Entries("state", "4", "mtu", "1500"), fds: 1);
        byte[] encoded = ControlCodec.Encode(new ControlMessage(ControlMessageType.Connect).Set("state", 4).Set("mtu", 1500), 1);
        Assert.Equal(encoded, raw);
        Assert.Equal(2, ControlCodec.Decode(raw, 1).Entries.Count);
    }

    [Fact]
    public void Bad_magic_is_refused() =>
        Assert.Contains("magic", Refused(Build(Entries("a", "b"), magic: 0x54434241)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)2)]
    public void Other_versions_are_refused(ushort version) =>
        Assert.Contains("version", Refused(Build(Entries("a", "b"), version: version)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)8)] // one past AdminReply
    [InlineData((ushort)0xFFFF)]
    public void Unknown_types_are_refused(ushort type) =>
        Assert.Contains("type", Refused(Build(Entries("a", "b"), type: type)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    public void Records_shorter_than_the_header_are_refused(int length)
    {
        byte[] record = ControlCodec.Encode(Sample(), 0);
        Assert.Contains("truncated", Refused(record[..length]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_cut_short_is_a_payload_length_mismatch()
    {
        byte[] record = ControlCodec.Encode(Sample(), 0);
        Assert.Contains("payload length", Refused(record[..^1]).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(1000)]
    public void Payload_length_must_match_the_record(int delta)
    {
        var parts = Entries("a", "b");
        uint actual = (uint)parts.Sum(p => p.Length);
        Assert.Contains("payload length", Refused(Build(parts, payloadLength: (uint)(actual + delta))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_without_its_nul_is_refused()
    {
        byte[] record = Build([Z("state"), "4"u8.ToArray()], entries: 1);
        Assert.Contains("NUL", Refused(record).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_entries_announced_than_present_is_refused() =>
        Assert.Contains("NUL", Refused(Build(Entries("a", "b"), entries: 2)).Message, StringComparison.Ordinal);

    [Fact]
    public void Oversize_keys_are_refused_both_ways()
    {
        string key = new('k', ControlCodec.MaxKeyBytes + 1);
        Assert.Contains("exceeds", Refused(Build(Entries(key, "1"))).Message, StringComparison.Ordinal);
        Assert.Throws<ControlProtocolException>(() => ControlCodec.Encode(new ControlMessage(ControlMessageType.Connect).Set(key, "1"), 0));
        // The limit itself is fine.
        string longest = new('k', ControlCodec.MaxKeyBytes);
        Assert.Equal("1", ControlCodec.Decode(Build(Entries(longest, "1")), 0).Get(longest));
    }

    [Fact]
    public void Oversize_values_are_refused_both_ways()
    {
        string value = new('v', ControlCodec.MaxValueBytes + 1);
        Assert.Contains("exceeds", Refused(Build(Entries("k", value))).Message, StringComparison.Ordinal);
        Assert.Throws<ControlProtocolException>(() => ControlCodec.Encode(new ControlMessage(ControlMessageType.Connect).Set("k", value), 0));
        // Multi-byte characters count as bytes: 342 × 3 bytes = 1026 bytes.
        Assert.Throws<ControlProtocolException>(() => ControlCodec.Encode(new ControlMessage(ControlMessageType.Connect).Set("k", new string('✓', 342)), 0));
        string longest = new('v', ControlCodec.MaxValueBytes);
        Assert.Equal(longest, ControlCodec.Decode(Build(Entries("k", longest)), 0).Get("k"));
    }

    [Theory]
    [InlineData("State")]
    [InlineData("a b")]
    [InlineData("a.b")]
    [InlineData("a=b")]
    [InlineData("ключ")]
    [InlineData("")]
    public void Keys_outside_the_charset_are_refused_both_ways(string key)
    {
        Refused(Build(Entries(key, "1")));
        Assert.Throws<ControlProtocolException>(() => ControlCodec.Encode(new ControlMessage(ControlMessageType.Connect).Set(key, "1"), 0));
    }

    [Fact]
    public void Values_may_not_carry_nul_or_invalid_utf8()
    {
        Assert.Throws<ControlProtocolException>(() => ControlCodec.Encode(new ControlMessage(ControlMessageType.Connect).Set("k", "a\0b"), 0));
        Assert.Contains("UTF-8", Refused(Build([Z("k"), [0xC3, 0x28, 0]])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_keys_are_refused() =>
        Assert.Contains("duplicate", Refused(Build(Entries("state", "4", "mtu", "1500", "state", "5"))).Message, StringComparison.Ordinal);

    [Fact]
    public void Too_many_entries_are_refused_both_ways()
    {
        var parts = Enumerable.Range(0, ControlCodec.MaxEntries + 1).SelectMany(i => Entries($"k{i}", "1")).ToArray();
        Assert.Contains("entries exceed", Refused(Build(parts)).Message, StringComparison.Ordinal);
        var message = new ControlMessage(ControlMessageType.Connect);
        for (int i = 0; i <= ControlCodec.MaxEntries; i++)
        {
            message.Set($"k{i}", "1");
        }
        Assert.Throws<ControlProtocolException>(() => ControlCodec.Encode(message, 0));

        var atLimit = Enumerable.Range(0, ControlCodec.MaxEntries).SelectMany(i => Entries($"k{i}", "1")).ToArray();
        Assert.Equal(ControlCodec.MaxEntries, ControlCodec.Decode(Build(atLimit), 0).Entries.Count);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(2, 1)]
    [InlineData(2, 3)]
    [InlineData(0, 1)]
    public void The_fd_count_must_match_what_arrived(int announced, int arrived)
    {
        byte[] record = ControlCodec.Encode(Sample(), announced);
        Assert.Contains("fds", Refused(record, arrived).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encoding_more_than_max_fds_is_refused()
    {
        Assert.Throws<ControlProtocolException>(() => ControlCodec.Encode(Sample(), ControlCodec.MaxFds + 1));
        Assert.Throws<ControlProtocolException>(() => ControlCodec.Encode(Sample(), -1));
        Assert.Equal(ControlCodec.MaxFds, BinaryPrimitives.ReadUInt16LittleEndian(ControlCodec.Encode(Sample(), ControlCodec.MaxFds).AsSpan(14)));
    }

    [Fact]
    public void Trailing_bytes_after_the_last_entry_are_refused()
    {
        Assert.Contains("after the last entry", Refused(Build(Entries("a", "b", "c", "d"), entries: 1)).Message, StringComparison.Ordinal);
        Assert.Contains("after the last entry", Refused(Build([.. Entries("a", "b"), [0x78]], entries: 1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_over_the_size_limit_are_refused_both_ways()
    {
        // 20 values of 1000 bytes: within per-entry limits, over 16 KiB in total.
        var parts = Enumerable.Range(0, 20).SelectMany(i => Entries($"k{i}", new string('v', 1000))).ToArray();
        Assert.Contains("exceeds", Refused(Build(parts)).Message, StringComparison.Ordinal);
        var message = new ControlMessage(ControlMessageType.Connect);
        for (int i = 0; i < 20; i++)
        {
            message.Set($"k{i}", new string('v', 1000));
        }
        Assert.Throws<ControlProtocolException>(() => ControlCodec.Encode(message, 0));
    }
}
