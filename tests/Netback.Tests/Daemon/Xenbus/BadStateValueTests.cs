using Ring.Shared.Control;
using Netback.Tests.Support;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// A State record whose <c>state</c> is not an integer in 0..8 is the frontend's protocol error like
/// any other (docs/protocol.md, "Connection life"): an Error, and a vif it had is torn down. It used
/// to escape the session as an exception, which the xenbus loop logged as its own bug (Critical) and
/// answered by dropping the connection as it was: no Error, and a connected vif left running with its
/// TAP, workers, registry entry and the uid's lease.
/// </summary>
public sealed class BadStateValueTests
{
    [Theory]
    [InlineData("x")]
    [InlineData("9")]
    [InlineData("-1")]
    public async Task A_bad_state_while_Connected_is_an_Error_and_the_vif_goes(string value)
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath);
        Assert.True(backend.WaitForVifCount(1, Patience));

        f.Channel.Send(new ControlMessage(ControlMessageType.State).Set("state", value));

        var reply = f.ReceiveControl();
        Assert.Equal(ControlMessageType.Error, reply.Type);
        Assert.Contains("'state'", reply.Get("reason"), StringComparison.Ordinal);
        Assert.True(f.WaitForEof());
        Assert.True(backend.WaitForVifCount(0, Patience), "the vif was left running");
    }

    [Fact]
    public async Task A_bad_state_before_Connect_is_an_Error()
    {
        await using var backend = new InProcessBackend();
        using var channel = ControlChannel.Connect(backend.SocketPath);
        using (var hello = channel.Receive(Patience))
        {
            Assert.Equal(ControlMessageType.Hello, hello.Message.Type);
        }

        channel.Send(new ControlMessage(ControlMessageType.State).Set("state", "closing"));

        using var reply = channel.Receive(Patience);
        Assert.Equal(ControlMessageType.Error, reply.Message.Type);
        Assert.Contains("'state'", reply.Message.Get("reason"), StringComparison.Ordinal);
        Assert.Throws<ControlChannelClosedException>(() => channel.Receive(Patience));
    }
}
