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
}
