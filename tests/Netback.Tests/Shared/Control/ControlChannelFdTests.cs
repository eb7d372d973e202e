using Ring.Shared.Control;
using Netback.Tests.Support;

namespace Netback.Tests.Shared.Control;

/// <summary>
/// Malformed records with fds attached: the receiver refuses them and closes every fd that arrived.
/// Counted in /proc/self/fd, so these run alone.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ControlChannelFdTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>Sends <paramref name="record"/> with <paramref name="fdCount"/> copies of an eventfd and expects a refusal without a leak.</summary>
    private static ControlProtocolException RefusedWithoutLeak(byte[] record, int fdCount)
    {
        using var pair = new SocketPair();
        using var efd = Native.Eventfd();
        SocketPair.SendRaw(pair.Front, record, Enumerable.Repeat(Native.Raw(efd), fdCount).ToArray());
        int before = Native.SettledFdCount();
        var e = Assert.Throws<ControlProtocolException>(() => pair.Back.Receive(Wait));
        Assert.Equal(before, Native.SettledFdCount());
        return e;
    }

    [Fact]
    public void More_than_max_fds_is_refused_and_none_leak()
    {
        int n = ControlCodec.MaxFds + 1;
        // The header is honest about the count: only the receive limit can catch it.
        byte[] record = RawRecord.Build(RawRecord.Entries("state", "4"), fds: n);
        var e = RefusedWithoutLeak(record, n);
        Assert.Contains($"more than {ControlCodec.MaxFds} fds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fd_count_mismatch_is_refused_and_none_leak()
    {
        byte[] record = ControlCodec.Encode(new ControlMessage(ControlMessageType.Connect).Set("state", 4), 2);
        Assert.Contains("fds", RefusedWithoutLeak(record, 1).Message, StringComparison.Ordinal);
        Assert.Contains("fds", RefusedWithoutLeak(record, 5).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversize_record_is_refused_and_none_leak()
    {
        byte[] record = RawRecord.Build([RawRecord.Z("k"), RawRecord.Z(new string('v', 20_000))], entries: 1, fds: 3);
        Assert.Contains("exceeds", RefusedWithoutLeak(record, 3).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_with_fds_is_refused_and_none_leak()
    {
        Assert.Contains("magic", RefusedWithoutLeak("not a netback record at all"u8.ToArray(), 4).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_maximum_fd_count_is_accepted_and_every_fd_owned_by_the_receiver()
    {
        using var pair = new SocketPair();
        using var efd = Native.Eventfd();
        int before = Native.SettledFdCount();
        pair.Front.Send(new ControlMessage(ControlMessageType.Connect), Enumerable.Repeat(efd, ControlCodec.MaxFds).ToArray());
        var received = pair.Back.Receive(Wait);
        Assert.Equal(ControlCodec.MaxFds, received.Fds.Length);
        Assert.Equal(before + ControlCodec.MaxFds, Native.SettledFdCount());
        received.Dispose();
        Assert.Equal(before, Native.SettledFdCount());
    }
}
