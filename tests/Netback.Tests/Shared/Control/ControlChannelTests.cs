using System.Net.Sockets;
using Ring.Shared.Control;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Memory;
using Netback.Tests.Support;
using static Tmds.Linux.LibC;

namespace Netback.Tests.Shared.Control;

/// <summary>A control connection over a real SOCK_SEQPACKET socketpair, fds travelling with SCM_RIGHTS.</summary>
public sealed class ControlChannelTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public unsafe void A_message_carries_a_memfd_and_an_eventfd_that_work_on_the_other_side()
    {
        using var pair = new SocketPair();
        using var area = GrantArea.Create(2);
        using var kick = EventChannel.Create();
        var message = new ControlMessage(ControlMessageType.Connect).Set("state", 4).Set("grant-pages", 2).Set("grant-area-fd", 0);
        pair.Front.Send(message, [area.Fd, kick.Handle]);

        using var received = pair.Back.Receive(Wait);
        Assert.Equal(ControlMessageType.Connect, received.Message.Type);
        Assert.Equal(message.Entries, received.Message.Entries);
        Assert.Equal(2, received.Fds.Length);
        // New descriptors in this process, not the sender's numbers.
        Assert.NotEqual(Native.Raw(area.Fd), Native.Raw(received.Fds[0]));
        Assert.NotEqual(0, fcntl(Native.Raw(received.Fds[1]), F_GETFD) & FD_CLOEXEC);

        using var mapped = GrantArea.Attach(received.Fds[0], 2);
        area.Page(1)[7] = 0x42;
        Assert.Equal(0x42, mapped.Page(1)[7]);

        var remoteKick = new EventChannel(received.Fds[1]);
        kick.Notify();
        Assert.Equal(1ul, Native.ReadU64(received.Fds[1]));
        remoteKick.Notify();
        remoteKick.Notify();
        Assert.Equal(2ul, kick.Drain());

        // The sender still owns its fds after sending.
        Assert.False(area.Fd.IsClosed);
        Assert.False(kick.Handle.IsClosed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)] // one queue, split event channels: memfd + TX kick/call + RX kick/call
    [InlineData(9)]
    public void Exactly_the_fds_sent_arrive_for_odd_counts_too(int count)
    {
        using var pair = new SocketPair();
        var channels = Enumerable.Range(0, count).Select(_ => EventChannel.Create()).ToArray();
        try
        {
            pair.Front.Send(new ControlMessage(ControlMessageType.Connect).Set("state", 4), channels.Select(c => c.Handle).ToArray());
            using var received = pair.Back.Receive(Wait);
            Assert.Equal(count, received.Fds.Length);
            for (int i = 0; i < count; i++)
            {
                Native.WriteU64(received.Fds[i], (ulong)i + 1);
                Assert.Equal((ulong)i + 1, channels[i].Drain());
            }
        }
        finally
        {
            foreach (var c in channels)
            {
                c.Dispose();
            }
        }
    }

    [Fact]
    public void Messages_flow_both_ways_in_order_as_separate_records()
    {
        using var pair = new SocketPair();
        pair.Back.Send(new ControlMessage(ControlMessageType.Hello).Set("state", 2));
        pair.Back.Send(new ControlMessage(ControlMessageType.State).Set("state", 5));
        pair.Front.Send(new ControlMessage(ControlMessageType.Error).Set("reason", "no"));

        using (var hello = pair.Front.Receive(Wait))
        {
            Assert.Equal(ControlMessageType.Hello, hello.Message.Type);
            Assert.Equal(Ring.Shared.Abi.XenbusState.InitWait, hello.Message.State);
            Assert.Empty(hello.Fds);
        }
        using (var state = pair.Front.Receive(Wait))
        {
            Assert.Equal(Ring.Shared.Abi.XenbusState.Closing, state.Message.State);
        }
        using var error = pair.Back.Receive(Wait);
        Assert.Equal("no", error.Message.Get("reason"));
    }

    [Fact]
    public void Peer_credentials_are_this_process()
    {
        using var pair = new SocketPair();
        var cred = pair.Back.PeerCredentials();
        Assert.Equal(Environment.ProcessId, (int)cred.pid);
        Assert.Equal((uint)geteuid(), (uint)cred.uid);
    }

    [Fact]
    public void Peer_close_ends_the_session()
    {
        using var pair = new SocketPair();
        pair.Front.Dispose();
        Assert.Throws<ControlChannelClosedException>(() => pair.Back.Receive(Wait));
        Assert.Throws<ControlChannelClosedException>(() => pair.Back.Send(new ControlMessage(ControlMessageType.State).Set("state", 5)));
    }

    [Fact]
    public void A_queued_message_is_still_delivered_before_the_close()
    {
        using var pair = new SocketPair();
        pair.Front.Send(new ControlMessage(ControlMessageType.State).Set("state", 6));
        pair.Front.Dispose();
        using (var last = pair.Back.Receive(Wait))
        {
            Assert.Equal(Ring.Shared.Abi.XenbusState.Closed, last.Message.State);
        }
        Assert.Throws<ControlChannelClosedException>(() => pair.Back.Receive(Wait));
    }

    [Fact]
    public void Receive_times_out_when_nothing_arrives()
    {
        using var pair = new SocketPair();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Throws<TimeoutException>(() => pair.Back.Receive(TimeSpan.FromMilliseconds(100)));
        Assert.InRange(clock.ElapsedMilliseconds, 90, 5_000);
        Assert.Throws<TimeoutException>(() => pair.Back.Receive(TimeSpan.Zero));
    }

    [Fact]
    public void Shutdown_wakes_a_blocked_receiver()
    {
        using var pair = new SocketPair();
        Exception? caught = null;
        var thread = new Thread(() =>
        {
            try
            {
                pair.Back.Receive();
            }
            catch (Exception e)
            {
                caught = e;
            }
        });
        thread.Start();
        Thread.Sleep(100);
        pair.Back.Shutdown();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)), "Receive did not return after Shutdown");
        Assert.IsType<ControlChannelClosedException>(caught);
    }

    [Fact]
    public void Receive_after_dispose_is_a_closed_session()
    {
        var pair = new SocketPair();
        pair.Dispose();
        Assert.Throws<ControlChannelClosedException>(() => pair.Back.Receive(Wait));
    }

    [Fact]
    public void Only_seqpacket_sockets_are_accepted()
    {
        using var stream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Assert.Throws<ArgumentException>(() => new ControlChannel(stream));
    }

    [Fact]
    public void Connect_reaches_a_listener_on_a_path()
    {
        DirectoryInfo dir = Directory.CreateTempSubdirectory("netback-ctl-");
        try
        {
            string path = Path.Combine(dir.FullName, "netback.sock");
            using var listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            using var front = ControlChannel.Connect(path);
            using var back = new ControlChannel(listener.Accept());
            front.Send(new ControlMessage(ControlMessageType.Connect).Set("state", 4));
            using var got = back.Receive(Wait);
            Assert.Equal(Ring.Shared.Abi.XenbusState.Connected, got.Message.State);
            Assert.Throws<SocketException>(() => ControlChannel.Connect(Path.Combine(dir.FullName, "missing.sock")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Sending_more_than_max_fds_is_refused_before_anything_is_sent()
    {
        using var pair = new SocketPair();
        using var efd = Native.Eventfd();
        var fds = Enumerable.Repeat(efd, ControlCodec.MaxFds + 1).ToArray();
        Assert.Throws<ControlProtocolException>(() => pair.Front.Send(new ControlMessage(ControlMessageType.Connect), fds));
        Assert.Throws<TimeoutException>(() => pair.Back.Receive(TimeSpan.FromMilliseconds(20)));
        efd.Dispose(); // no reference left behind by the refused send
        Assert.True(efd.IsClosed);
    }
}
