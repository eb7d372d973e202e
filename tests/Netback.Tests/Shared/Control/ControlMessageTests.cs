using Ring.Shared.Abi;
using Ring.Shared.Control;

namespace Netback.Tests.Shared.Control;

/// <summary>Typed access to message keys, and xenbus per-queue key naming.</summary>
public sealed class ControlMessageTests
{
    private static ControlMessage With(string key, string value) => new ControlMessage(ControlMessageType.Connect).Set(key, value);

    [Theory]
    [InlineData("0", 0, 5, 0)]
    [InlineData("5", 0, 5, 5)]
    [InlineData("3", 3, 3, 3)]
    [InlineData("007", 0, 10, 7)]
    [InlineData("2147483647", 0, int.MaxValue, int.MaxValue)]
    public void GetInt_accepts_values_within_bounds(string value, int min, int max, int expected) =>
        Assert.Equal(expected, With("k", value).GetInt("k", min, max));

    [Theory]
    [InlineData("6", 0, 5)]
    [InlineData("2", 3, 5)]
    [InlineData("-1", -5, 5)] // signs are not part of the syntax
    [InlineData("+1", 0, 5)]
    [InlineData(" 1", 0, 5)]
    [InlineData("1 ", 0, 5)]
    [InlineData("1x", 0, 5)]
    [InlineData("0x1", 0, 5)]
    [InlineData("", 0, 5)]
    [InlineData("2147483648", 0, int.MaxValue)]
    [InlineData("99999999999999999999", 0, int.MaxValue)]
    public void GetInt_refuses_values_outside_bounds_or_syntax(string value, int min, int max)
    {
        var e = Assert.Throws<ControlProtocolException>(() => With("k", value).GetInt("k", min, max));
        Assert.Contains("'k'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetInt_of_a_missing_key_is_the_fallback_or_an_error()
    {
        var m = With("other", "1");
        Assert.Equal(9, m.GetInt("k", 0, 5, 9));
        Assert.Contains("missing key 'k'", Assert.Throws<ControlProtocolException>(() => m.GetInt("k", 0, 5)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetFlag_is_zero_or_one()
    {
        Assert.True(With("f", "1").GetFlag("f"));
        Assert.False(With("f", "0").GetFlag("f", fallback: true));
        Assert.False(With("x", "1").GetFlag("f"));
        Assert.True(With("x", "1").GetFlag("f", fallback: true));
        Assert.Throws<ControlProtocolException>(() => With("f", "2").GetFlag("f"));
        Assert.Throws<ControlProtocolException>(() => With("f", "yes").GetFlag("f"));
        Assert.Throws<ControlProtocolException>(() => With("f", "true").GetFlag("f"));
    }

    [Fact]
    public void Set_replaces_in_place_and_typed_setters_write_decimal()
    {
        var m = new ControlMessage(ControlMessageType.Connect).Set("a", "1").Set("b", 2).Set("c", true).Set("d", false);
        m.Set("a", "x");
        Assert.Equal(["a", "b", "c", "d"], m.Entries.Select(e => e.Key));
        Assert.Equal(["x", "2", "1", "0"], m.Entries.Select(e => e.Value));
        Assert.True(m.Has("b"));
        Assert.False(m.Has("z"));
        Assert.Null(m.Get("z"));
        Assert.Equal("-5", new ControlMessage(ControlMessageType.State).Set("n", -5L).Get("n"));
    }

    [Fact]
    public void State_reads_and_writes_the_state_key()
    {
        var m = new ControlMessage(ControlMessageType.State);
        Assert.Equal(XenbusState.Unknown, m.State);
        m.State = XenbusState.Closing;
        Assert.Equal("5", m.Get("state"));
        Assert.Equal(XenbusState.Closing, m.State);
        Assert.Throws<ControlProtocolException>(() => With("state", "9").State);
    }

    [Theory]
    [InlineData(1, 0, "tx-ring-ref", "tx-ring-ref")]
    [InlineData(2, 0, "tx-ring-ref", "queue-0/tx-ring-ref")]
    [InlineData(2, 1, "event-channel-rx", "queue-1/event-channel-rx")]
    [InlineData(16, 15, "rx-ring-ref", "queue-15/rx-ring-ref")]
    public void Per_queue_keys_are_top_level_only_for_one_queue(int queues, int queue, string key, string expected) =>
        Assert.Equal(expected, XenbusKeys.Queue(queues, queue, key));
}
