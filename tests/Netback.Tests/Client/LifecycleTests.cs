using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>Connect failures, Close, and the backend going away, as the library reports them.</summary>
public sealed class LifecycleTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Close_makes_the_backend_release_the_vif()
    {
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        Assert.True(backend.WaitForVifCount(1, Wait));
        BackendClosedEventArgs? closed = null;
        device.BackendClosed += (_, e) => closed = e;

        device.Close();

        Assert.True(backend.WaitForVifCount(0, Wait), $"the backend still holds {backend.Registry.Count} vif(s) after Close");
        Assert.True(device.WaitForBackendClose(Wait));
        Assert.True(device.IsBackendClosed);
        Assert.NotNull(closed);
        Assert.True(closed.Requested, $"Close() was ours but Requested is false ({closed.Reason})");
        device.Close(); // idempotent

        // The domid is free again: the next frontend gets vif1.0.
        using var next = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        Assert.Equal("vif1.0", next.VifName);
    }

    [Fact]
    public async Task Dispose_racing_a_Close_on_another_thread_waits_for_the_control_monitor()
    {
        // The first Close waits for the monitor thread, here held in a BackendClosed handler. A
        // Dispose on another thread meanwhile once returned at once ("Close is idempotent") and freed
        // the socket and the closed-eventfd under the running monitor: had it been a step earlier,
        // the monitor wrote to a freed fd number and threw on its own thread, ending the process.
        await using var backend = new InProcessBackend();
        var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        using var handlerStarted = new ManualResetEventSlim();
        using var handlerDone = new ManualResetEventSlim();
        device.BackendClosed += (_, _) =>
        {
            handlerStarted.Set();
            Thread.Sleep(300);
            handlerDone.Set();
        };
        var closer = new Thread(device.Close) { IsBackground = true };
        closer.Start();
        Assert.True(handlerStarted.Wait(Wait, TestContext.Current.CancellationToken), "the backend did not close after Closing");

        device.Dispose();

        Assert.True(handlerDone.IsSet, "Dispose returned while the control monitor was still running");
        Assert.True(closer.Join(Wait));
        device.Close(); // after Dispose: a no-op
    }

    [Fact]
    public async Task Dispose_without_close_releases_the_vif_too()
    {
        await using var backend = new InProcessBackend();
        var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        Assert.True(backend.WaitForVifCount(1, Wait));
        device.Dispose();
        device.Dispose(); // idempotent
        Assert.True(backend.WaitForVifCount(0, Wait), $"the backend still holds {backend.Registry.Count} vif(s) after Dispose");
    }

    [Fact]
    public async Task Backend_shutdown_is_reported_as_not_requested()
    {
        var backend = new InProcessBackend();
        NetfrontDevice? device = null;
        try
        {
            device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
            var raised = new TaskCompletionSource<BackendClosedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            device.BackendClosed += (_, e) => raised.TrySetResult(e);
            Assert.False(device.IsBackendClosed);

            await backend.DisposeAsync();

            Assert.True(device.WaitForBackendClose(Wait), "the device did not notice the backend's shutdown");
            Assert.True(device.IsBackendClosed);
            Assert.True(device.BackendClosedWaitHandle.WaitOne(0));
            BackendClosedEventArgs e = await raised.Task.WaitAsync(Wait, TestContext.Current.CancellationToken);
            Assert.False(e.Requested);
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            Assert.Equal(device.BackendCloseReason, e.Reason);
            Assert.DoesNotContain('\n', e.Reason);
            // The eventfd for epoll loops is readable too.
            Assert.True(Ring.Shared.Events.EventChannel.Drain(device.BackendClosedFd) > 0);
        }
        finally
        {
            device?.Dispose();
            await backend.DisposeAsync();
        }
    }

    [Fact]
    public void Connect_to_a_missing_socket_says_so()
    {
        string path = Path.Combine(Path.GetTempPath(), $"netback-missing-{Guid.NewGuid():N}", "nb.sock");
        var e = Assert.Throws<NetfrontException>(() => NetfrontDevice.Connect(new NetfrontOptions { SocketPath = path }));
        Assert.Contains(path, e.Message);
        Assert.Contains("does not exist", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Null(e.BackendReason);
    }

    [Fact]
    public void Connect_to_a_socket_nobody_listens_on_says_so()
    {
        string dir = Directory.CreateTempSubdirectory("netback-unit-").FullName;
        try
        {
            string path = Path.Combine(dir, "nb.sock");
            // Bound, never listening (a dead daemon's leftover behaves the same): connect() is refused.
            using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Seqpacket, 0);
            s.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            var e = Assert.Throws<NetfrontException>(() => NetfrontDevice.Connect(new NetfrontOptions { SocketPath = path }));
            Assert.Contains(path, e.Message);
            Assert.True(e.Message.Contains("nothing is listening", StringComparison.Ordinal), e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_refusal_carries_the_backends_reason()
    {
        await using var backend = new InProcessBackend();
        using var first = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, DomId = 5 });
        Assert.Equal("vif5.0", first.VifName);

        var e = Assert.Throws<NetfrontException>(() =>
            NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, DomId = 5 }));

        Assert.NotNull(e.BackendReason);
        Assert.Contains("vif5.0", e.BackendReason);
        Assert.Contains(e.BackendReason, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        // The refused frontend left nothing registered; the first still works.
        Assert.True(backend.WaitForVifCount(1, Wait));
        FrontendDriver.SendOne(first.Queues[0], Frames.Make(1, 1, 64), Wait);
        Assert.Equal(64, FrontendDriver.HostReceive(backend.Host("vif5.0"), Wait).Length);
    }

    [Fact]
    public async Task A_vifspec_name_in_use_is_refused_with_the_reason()
    {
        await using var backend = new InProcessBackend();
        using var first = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, VifSpec = "vifname=vdup0" });
        var e = Assert.Throws<NetfrontException>(() =>
            NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, VifSpec = "vifname=vdup0" }));
        Assert.NotNull(e.BackendReason);
        Assert.Contains("vdup0", e.BackendReason);
    }
}
