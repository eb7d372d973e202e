using Microsoft.Extensions.Logging;
using Netback.Tests.Support;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// The edges of FrontendSession's state machine the other tests do not walk: EOF in InitWait, records
/// that have no place while Connected, and what happens while a vif is being built (on a control
/// worker, the xenbus loop serving everyone else meanwhile).
/// </summary>
public sealed class XenbusStateTests
{
    [Fact]
    public async Task EOF_in_InitWait_ends_the_session_quietly()
    {
        await using var backend = new InProcessBackend();
        HostileFrontend.Open(backend.SocketPath).Dispose();
        using var good = Healthy(backend); // served after it, so the EOF was handled first
        Assert.Empty(Warnings(backend));
        Assert.Equal(1, backend.Registry.Count);
    }

    [Theory]
    [InlineData(true, "unexpected file descriptors after Connect")]
    [InlineData(false, "unexpected Connect while Connected")]
    public async Task A_record_with_no_place_while_Connected_is_refused_and_the_vif_goes(bool fds, string reason)
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath);
        if (fds)
        {
            f.Channel.Send(new ControlMessage(ControlMessageType.State) { State = XenbusState.Connected }, [f.TxKick.Handle]);
        }
        else
        {
            f.Channel.Send(HostileFrontend.StandardConnect()); // without fds: a Connect as such has no place now
        }
        AssertReason(f.ReceiveControl(), ControlMessageType.Error, XenbusState.Closing, reason);
        Assert.True(f.WaitForEof());
        Assert.True(backend.WaitForVifCount(0, Patience));
        Assert.Contains(Warnings(backend), w => w.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_vif_that_takes_long_to_build_holds_up_no_other_frontend()
    {
        await using var backend = new InProcessBackend();
        using var gate = new ManualResetEventSlim();
        using var building = new ManualResetEventSlim();
        int created = 0;
        backend.Taps.Created += (_, _) =>
        {
            if (Interlocked.Increment(ref created) == 1)
            {
                building.Set();
                gate.Wait(Patience, TestContext.Current.CancellationToken); // the first TAP takes "long": its worker waits here
            }
        };
        using var slow = HostileFrontend.Open(backend.SocketPath);
        slow.SendConnect(HostileFrontend.StandardConnect(), slow.StandardFds());
        Assert.True(building.Wait(Patience, TestContext.Current.CancellationToken));

        // Meanwhile: a Hello, a refusal and a whole attach for others.
        using (var bad = HostileFrontend.Open(backend.SocketPath))
        {
            var m = HostileFrontend.StandardConnect();
            m.Set(XenbusKeys.RingLayout, "bogus");
            bad.SendConnect(m, bad.StandardFds());
            AssertReason(bad.ReceiveControl(), ControlMessageType.Error, XenbusState.Closing, "unknown ring-layout 'bogus'");
        }
        using (var other = Healthy(backend))
        {
            AssertPassesFramesBothWays(backend, other, 0x61);
        }

        gate.Set();
        Assert.Equal(ControlMessageType.Connected, slow.ReceiveControl().Type);
    }

    [Fact]
    public async Task A_stop_while_a_vif_is_built_says_Closing_instead_of_Connected_and_tears_it_down()
    {
        var backend = new InProcessBackend();
        using var gate = new ManualResetEventSlim();
        using var building = new ManualResetEventSlim();
        backend.Taps.Created += (_, _) =>
        {
            building.Set();
            gate.Wait(Patience, TestContext.Current.CancellationToken);
        };
        using var f = HostileFrontend.Open(backend.SocketPath);
        f.SendConnect(HostileFrontend.StandardConnect(), f.StandardFds());
        Assert.True(building.Wait(Patience, TestContext.Current.CancellationToken));

        var stop = Task.Run(async () => await backend.DisposeAsync(), TestContext.Current.CancellationToken);
        Assert.True(Eventually(() => backend.Logs.Entries.Any(e => e.Message.StartsWith("Shutting down", StringComparison.Ordinal))));
        gate.Set();
        await stop;

        AssertReason(f.ReceiveControl(), ControlMessageType.State, XenbusState.Closing, "backend is shutting down");
        Assert.True(f.WaitForEof());
        Assert.Equal(0, backend.Registry.Count);
    }

    [Fact]
    public async Task A_frontend_gone_while_its_vif_is_built_gets_it_torn_down()
    {
        await using var backend = new InProcessBackend();
        using var gate = new ManualResetEventSlim();
        using var building = new ManualResetEventSlim();
        backend.Taps.Created += (_, _) =>
        {
            building.Set();
            gate.Wait(Patience, TestContext.Current.CancellationToken);
        };
        var f = HostileFrontend.Open(backend.SocketPath);
        f.SendConnect(HostileFrontend.StandardConnect(), f.StandardFds());
        Assert.True(building.Wait(Patience, TestContext.Current.CancellationToken));
        f.Dispose();
        gate.Set();

        Assert.True(backend.WaitForVifCount(0, Patience), AllLogs(backend));
        Assert.True(Eventually(() => backend.Logs.Entries.Any(e => e.Level == LogLevel.Information
            && e.Message.Contains("disconnected (the frontend did not take Connected)", StringComparison.Ordinal))), AllLogs(backend));
    }
}
