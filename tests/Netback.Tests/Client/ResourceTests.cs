using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// Process-wide measurements (fds, allocations): in the serial collection so no other test's
/// sockets, eventfds or threads run meanwhile.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ResourceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static int OpenFds() => Native.SettledFdCount();

    private static int SettleFds(int expected)
    {
        // The backend closes its side on its own threads: give it a moment to get back to the baseline.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        int now = OpenFds();
        while (now != expected && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
            now = OpenFds();
        }
        return now;
    }

    private static string FdList() =>
        string.Join(", ", Directory.GetFiles("/proc/self/fd").Select(f =>
        {
            try
            {
                return $"{Path.GetFileName(f)}->{new FileInfo(f).LinkTarget}";
            }
            catch (IOException)
            {
                return Path.GetFileName(f);
            }
        }).Where(l => !l.EndsWith(".dll", StringComparison.Ordinal)));

    private static void Cycle(InProcessBackend backend, NetfrontOptions options)
    {
        using var device = NetfrontDevice.Connect(options);
        for (int q = 0; q < device.Queues.Count; q++)
        {
            var queue = device.Queues[q];
            FrontendDriver.SendOne(queue, Frames.Make(0, 1, 100), Wait);
            _ = FrontendDriver.HostReceive(backend.Host(device.VifName, q), Wait);
            backend.Host(device.VifName, q).Send(Frames.Make(0, 2, 100));
            _ = FrontendDriver.ReceiveOne(queue, Wait);
        }
        _ = device.BackendClosedFd;
        device.Dispose();
        // The host ends are the test's own sockets (a TAP's fds would go with the vif): close them too.
        foreach (var end in backend.Taps.HostEnds(device.VifName))
        {
            end.Dispose();
        }
    }

    [Fact]
    public async Task Dispose_leaves_no_fds_behind()
    {
        await using var backend = new InProcessBackend();
        var single = new NetfrontOptions { SocketPath = backend.SocketPath };
        var multi = new NetfrontOptions { SocketPath = backend.SocketPath, Queues = 3, SplitEventChannels = false, RingPageOrder = 1 };
        // Warm-up: the runtime opens its own fds lazily (sockets, epoll of the socket engine).
        Cycle(backend, single);
        Cycle(backend, multi);
        Assert.True(backend.WaitForVifCount(0, Wait));
        int baseline = SettleFds(OpenFds());
        string before = FdList();
        for (int i = 0; i < 3; i++)
        {
            Cycle(backend, single);
            Cycle(backend, multi);
        }
        Assert.True(backend.WaitForVifCount(0, Wait), "the backend still holds vifs");
        int after = SettleFds(baseline);
        output.WriteLine($"fds: baseline {baseline}, after 6 more attach/detach cycles {after}");
        Assert.True(after == baseline, $"fds: {baseline} before, {after} after\nbefore: {before}\nafter: {FdList()}");
    }

    [Fact]
    public async Task Disposing_device_and_backend_returns_to_the_fd_baseline()
    {
        // Warm-up with a throwaway backend.
        await using (var warm = new InProcessBackend())
        {
            Cycle(warm, new NetfrontOptions { SocketPath = warm.SocketPath, Queues = 2 });
        }
        int baseline = SettleFds(OpenFds());
        string before = FdList();
        await using (var backend = new InProcessBackend())
        {
            Cycle(backend, new NetfrontOptions { SocketPath = backend.SocketPath, Queues = 2 });
            Assert.True(backend.WaitForVifCount(0, Wait));
        }
        int after = SettleFds(baseline);
        Assert.True(after == baseline, $"fds: {baseline} before, {after} after\nbefore: {before}\nafter: {FdList()}");
    }

    [Fact]
    public async Task The_frontend_hot_path_does_not_allocate()
    {
        const int warmup = 2_000;
        const int measured = 10_000;
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        var queue = device.Queues[0];
        var host = backend.Host(device.VifName);

        long allocated = -1;
        string? error = null;
        // The frontend runs on its own thread so the measurement covers it alone; the host side
        // (a reflector: every frame the guest sends comes back) runs on another.
        var frontend = new Thread(() =>
        {
            try
            {
                byte[] frame = new byte[1514];
                int window = Burst.HostWindow(1514);
                var timeout = TimeSpan.FromSeconds(60);
                // One driver for both stretches: its construction (epoll, eventfd) is not the hot path.
                using var driver = new NetfrontQueueDriver<BurstWork>(queue, default);
                error = Burst.Drive(driver, new BurstWork(queue, frame, warmup, warmup, 0xB2, 0xB2, 60, 1514, timeout, window: window), out _);
                if (error is not null)
                {
                    return;
                }
                // The measured stretch: the same loop, frames numbered on from the warm-up.
                var measuredWork = new BurstWork(queue, frame, measured, measured, 0xB2, 0xB2, 60, 1514, timeout, first: warmup, window: window);
                long start = GC.GetAllocatedBytesForCurrentThread();
                error = Burst.Drive(driver, measuredWork, out _);
                allocated = GC.GetAllocatedBytesForCurrentThread() - start;
            }
            catch (Exception e)
            {
                error = e.ToString();
            }
        }) { Name = "frontend-alloc" };
        var reflector = new Thread(() =>
        {
            byte[] buffer = new byte[65536];
            host.ReceiveTimeout = 60_000;
            try
            {
                for (int i = 0; i < warmup + measured; i++)
                {
                    int n = host.Receive(buffer);
                    host.Send(buffer, 0, n, System.Net.Sockets.SocketFlags.None);
                }
            }
            catch (Exception e)
            {
                error ??= $"reflector: {e.Message}";
            }
        }) { IsBackground = true, Name = "host-reflector" };
        reflector.Start();
        frontend.Start();
        Assert.True(frontend.Join(TimeSpan.FromSeconds(120)), "the frontend thread did not finish");
        Assert.True(error is null, error);
        output.WriteLine($"{measured} frames each way after {warmup} warm-up: {allocated} bytes allocated on the frontend thread; "
            + $"kicks {queue.Counters.NotificationsSent}, calls {queue.Counters.NotificationsReceived} for {2 * (warmup + measured)} packets");
        Assert.True(allocated == 0, $"the frontend thread allocated {allocated} bytes for {measured} frames each way");
    }
}
