using Netback.Tests.Support;
using Netfront.Client;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// The polling window (Netback:PollMicroseconds, NetfrontQueueDriver.PollWindow): no wake-up is lost
/// at either side's transition from polling to arming and sleeping, it saves notifications while it
/// polls, and an idle vif still sleeps.
/// </summary>
public sealed class PollingWindowTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(100, 100)]
    [InlineData(100, 0)]
    [InlineData(0, 100)]
    public async Task Request_response_with_gaps_around_the_window_loses_no_wake_up(int backendUs, int frontendUs)
    {
        await using var backend = new InProcessBackend(o => o.PollMicroseconds = backendUs);
        using var device = Healthy(backend);
        var host = backend.Host(device.VifName);
        using var echo = HostEcho.Start(host);
        byte[] frame = Frame(60, 7);
        const int Count = 3000;
        using var driver = new NetfrontQueueDriver<PingPongWork>(device.Queues[0], new PingPongWork(frame, Count, 300, TimeSpan.FromSeconds(20)))
        {
            PollWindow = TimeSpan.FromMicroseconds(frontendUs),
        };
        driver.Run();

        Assert.Null(driver.Work.Mismatch);
        Assert.Equal(Count, driver.Work.Echoes);
        var counters = backend.Registry.Snapshot().Single().Queues[0].Counters;
        output.WriteLine($"backend {backendUs} µs, frontend {frontendUs} µs: backend wake-ups {counters.Wakeups}, polls {counters.Polls}, " +
            $"calls {counters.NotificationsSent}, kicks {counters.NotificationsReceived}; frontend wake-ups {device.Queues[0].Counters.Wakeups}, " +
            $"polls {device.Queues[0].Counters.Polls}, kicks {device.Queues[0].Counters.NotificationsSent}");
        Assert.Equal(backendUs > 0, counters.Polls > 0);
        Assert.Equal(frontendUs > 0, device.Queues[0].Counters.Polls > 0);
    }

    [Fact]
    public async Task A_frontend_polling_through_the_round_trip_asks_for_no_call()
    {
        await using var backend = new InProcessBackend();
        using var device = Healthy(backend);
        using var echo = HostEcho.Start(backend.Host(device.VifName));
        const int Count = 2000;
        // A window far longer than an in-process round trip, and no gaps: each echo comes while the
        // frontend still polls, its rsp_event stale, so the backend sends no call for it.
        using var driver = new NetfrontQueueDriver<PingPongWork>(device.Queues[0], new PingPongWork(Frame(60, 9), Count, 0, TimeSpan.FromSeconds(20)))
        {
            PollWindow = TimeSpan.FromMilliseconds(20),
        };
        driver.Run();
        Assert.Equal(Count, driver.Work.Echoes);
        var counters = backend.Registry.Snapshot().Single().Queues[0].Counters;
        output.WriteLine($"{counters.NotificationsSent} calls and {device.Queues[0].Counters.Wakeups} frontend wake-ups for {Count} echoes");
        Assert.True(counters.NotificationsSent < Count / 10, $"{counters.NotificationsSent} calls for {Count} echoes");
    }

    [Fact]
    public async Task An_idle_vif_stops_polling_after_its_window()
    {
        await using var backend = new InProcessBackend(o => o.PollMicroseconds = 1000);
        using var device = Healthy(backend);
        AssertPassesFramesBothWays(backend, device, 3);
        var counters = backend.Registry.Snapshot().Single().Queues[0].Counters;
        Thread.Sleep(50); // well past the 1 ms window
        long polls = counters.Polls, wakeups = counters.Wakeups;
        Thread.Sleep(500);
        Assert.Equal(polls, counters.Polls);
        Assert.True(counters.Wakeups - wakeups <= 1, $"{counters.Wakeups - wakeups} wake-ups while idle");
    }
}
