using Ring.Shared.Events;
using Ring.Shared.Interop;
using Netback.Tests.Support;
using Tmds.Linux;

namespace Netback.Tests.Shared.Events;

/// <summary>eventfd event channels: counts coalesce like Xen's pending bit (fact sheet §8).</summary>
public sealed class EventChannelTests
{
    [Fact]
    public void Drain_on_an_empty_channel_returns_zero()
    {
        using var ch = EventChannel.Create();
        Assert.Equal(0ul, ch.Drain());
        Assert.Equal(0ul, ch.Drain());
    }

    [Fact]
    public void Notifications_coalesce_into_one_drain()
    {
        using var ch = EventChannel.Create();
        ch.Notify();
        ch.Notify();
        ch.Notify();
        Assert.Equal(3ul, ch.Drain());
        Assert.Equal(0ul, ch.Drain());
        ch.Notify();
        Assert.Equal(1ul, ch.Drain());
    }

    [Fact]
    public void The_other_end_sees_the_signal_through_its_own_fd()
    {
        // The peer holds a different fd (received via SCM_RIGHTS); a dup stands in for it.
        using var local = EventChannel.Create();
        using var remote = new EventChannel(Native.Dup(local.Handle));
        local.Notify();
        local.Notify();
        Assert.Equal(2ul, remote.Drain());
        Assert.Equal(0ul, local.Drain());
        Native.WriteU64(remote.Handle, 5);
        Assert.Equal(5ul, local.Drain());
    }

    [Fact]
    public void Channels_are_nonblocking_and_close_on_exec()
    {
        using var ch = EventChannel.Create();
        int fd = Native.Raw(ch.Handle);
        Assert.NotEqual(0, LibC.fcntl(fd, LibC.F_GETFL) & LibC.O_NONBLOCK);
        Assert.NotEqual(0, LibC.fcntl(fd, LibC.F_GETFD) & LibC.FD_CLOEXEC);
    }

    [Fact]
    public void Dispose_closes_the_fd()
    {
        var ch = EventChannel.Create();
        FileDescriptorHandle h = ch.Handle;
        ch.Dispose();
        Assert.True(h.IsClosed);
        Assert.Throws<ObjectDisposedException>(ch.Notify);
    }

    [Fact]
    public void Epoll_reports_a_signalled_channel_with_its_token_and_times_out_otherwise()
    {
        using var ch = EventChannel.Create();
        using var other = EventChannel.Create();
        using var epoll = new Epoll();
        using var lease = new HandleLease(ch.Handle);
        using var lease2 = new HandleLease(other.Handle);
        epoll.Add(lease.Value, Epoll.In, 7);
        epoll.Add(lease2.Value, Epoll.In, 9);
        Span<epoll_event> events = stackalloc epoll_event[4];
        Assert.Equal(0, epoll.Wait(events, 10));

        other.Notify();
        Assert.Equal(1, epoll.Wait(events, 1000));
        Assert.Equal(9ul, events[0].data.u64);
        Assert.Equal(1ul, other.Drain());
        Assert.Equal(0, epoll.Wait(events, 0)); // level-triggered: drained means quiet

        epoll.Remove(lease2.Value);
        other.Notify();
        Assert.Equal(0, epoll.Wait(events, 10));
    }
}
