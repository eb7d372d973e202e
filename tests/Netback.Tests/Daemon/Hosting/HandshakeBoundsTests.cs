using Netback.Daemon.Diagnostics;
using Netback.Daemon.Hosting;

namespace Netback.Tests.Daemon.Hosting;

/// <summary>The pending-handshake bounds: per uid first, then daemon-wide; a connection that goes gives its place back.</summary>
public sealed class HandshakeBoundsTests
{
    [Fact]
    public void A_uid_at_its_bound_is_refused_with_its_own_limit_while_others_are_not()
    {
        var bounds = new HandshakeBounds(max: 10, perUid: 2);
        bounds.Add(1000);
        Assert.Null(bounds.Check(1000));
        bounds.Add(1000);
        var refusal = bounds.Check(1000);
        Assert.Equal(RefusalReason.UidHandshakeLimit, refusal?.Reason);
        Assert.Equal("uid 1000 has 2 handshakes pending, the limit is 2 (Netback:MaxPendingHandshakesPerUid)", refusal?.Message);
        Assert.Null(bounds.Check(1001));
        bounds.Remove(1000);
        Assert.Null(bounds.Check(1000));
        Assert.Equal(1, bounds.Pending);
    }

    [Fact]
    public void The_daemon_wide_bound_refuses_everyone_once_reached()
    {
        var bounds = new HandshakeBounds(max: 3, perUid: 2);
        bounds.Add(1);
        bounds.Add(1);
        bounds.Add(2);
        // uid 1 is at its own bound: told that one first.
        Assert.Equal(RefusalReason.UidHandshakeLimit, bounds.Check(1)?.Reason);
        var refusal = bounds.Check(3);
        Assert.Equal(RefusalReason.HandshakeLimit, refusal?.Reason);
        Assert.Contains("the backend has 3 handshakes pending, the limit is 3", refusal?.Message, StringComparison.Ordinal);
        bounds.Remove(2);
        Assert.Null(bounds.Check(3));
        Assert.Equal(0, bounds.PendingFor(2));
    }
}
