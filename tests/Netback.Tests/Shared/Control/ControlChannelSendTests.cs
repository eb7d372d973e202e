using System.Diagnostics;
using Netback.Tests.Support;
using Ring.Shared.Control;

namespace Netback.Tests.Shared.Control;

/// <summary>
/// Sending never waits for the peer: a control record is small and rare, so a full queue means the
/// peer does not read, and the sender learns it at once instead of waiting for it without end.
/// </summary>
public sealed class ControlChannelSendTests
{
    private static readonly ControlMessage Closing = new ControlMessage(ControlMessageType.State).Set("state", 5);

    [Fact]
    public void A_send_to_a_peer_that_does_not_read_fails_at_once()
    {
        using var pair = new SocketPair();
        using var back = Native.Dup(new Ring.Shared.Interop.FileDescriptorHandle((int)pair.Back.Socket.SafeHandle.DangerousGetHandle(), ownsHandle: false));
        Assert.True(BackendEnd.FillSendQueue(back) > 0);

        Exception? caught = null;
        var clock = Stopwatch.StartNew();
        var sender = new Thread(() =>
        {
            try
            {
                pair.Back.Send(Closing);
            }
            catch (Exception e)
            {
                caught = e;
            }
        }) { IsBackground = true };
        sender.Start();
        bool returned = sender.Join(TimeSpan.FromSeconds(3));
        // Unblock a sender that waits (the old behaviour), so the test ends either way.
        pair.Front.Dispose();
        sender.Join(TimeSpan.FromSeconds(5));

        Assert.True(returned, "Send waited for a peer that does not read (still blocked after 3 s)");
        Assert.InRange(clock.ElapsedMilliseconds, 0, 1000);
        var e = Assert.IsType<ControlChannelClosedException>(caught);
        Assert.Contains("does not read", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrySend_says_PeerNotReading_at_once_and_the_record_is_not_sent()
    {
        using var pair = new SocketPair();
        using var back = Native.Dup(new Ring.Shared.Interop.FileDescriptorHandle((int)pair.Back.Socket.SafeHandle.DangerousGetHandle(), ownsHandle: false));
        int queued = BackendEnd.FillSendQueue(back);
        var clock = Stopwatch.StartNew();
        var send = Task.Run(() => pair.Back.TrySend(Closing), TestContext.Current.CancellationToken);
        ControlSendResult result;
        try
        {
            result = await send.WaitAsync(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            pair.Front.Dispose(); // unblock a send that waits, so the test fails instead of hanging
            throw new Xunit.Sdk.XunitException("TrySend waited for a peer that does not read (still blocked after 3 s)");
        }
        Assert.Equal(ControlSendResult.PeerNotReading, result);
        Assert.InRange(clock.ElapsedMilliseconds, 0, 500);
        // What the peer finds is the queue as it was: the refused record is not among it.
        int received = 0;
        var buffer = new byte[ControlChannel.ReceiveBufferBytes];
        while (true)
        {
            try
            {
                using var r = pair.Front.TryReceive(buffer);
                if (r is null)
                {
                    break;
                }
            }
            catch (ControlProtocolException)
            {
                // the junk records
            }
            received++;
        }
        Assert.Equal(queued, received);
        // Read, the queue has room again.
        Assert.Equal(ControlSendResult.Sent, pair.Back.TrySend(Closing));
    }

    [Fact]
    public void TrySend_to_a_peer_that_is_gone_says_PeerGone()
    {
        using var pair = new SocketPair();
        pair.Front.Dispose();
        Assert.Equal(ControlSendResult.PeerGone, pair.Back.TrySend(Closing));
        pair.Back.Dispose();
        Assert.Equal(ControlSendResult.PeerGone, pair.Back.TrySend(Closing));
    }

    [Fact]
    public void TryReceive_takes_what_is_there_and_never_waits()
    {
        using var pair = new SocketPair();
        var buffer = new byte[ControlChannel.ReceiveBufferBytes];
        var clock = Stopwatch.StartNew();
        Assert.Null(pair.Back.TryReceive(buffer));
        Assert.InRange(clock.ElapsedMilliseconds, 0, 500);

        using var kick = Ring.Shared.Events.EventChannel.Create();
        pair.Front.Send(new ControlMessage(ControlMessageType.Connect).Set("state", 4), [kick.Handle]);
        using (var r = pair.Back.TryReceive(buffer))
        {
            Assert.NotNull(r);
            Assert.Equal(ControlMessageType.Connect, r.Message.Type);
            Assert.Single(r.Fds);
        }
        Assert.Null(pair.Back.TryReceive(buffer));

        pair.Front.Dispose();
        Assert.Throws<ControlChannelClosedException>(() => pair.Back.TryReceive(buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => pair.Back.TryReceive(new byte[100]));
    }
}
