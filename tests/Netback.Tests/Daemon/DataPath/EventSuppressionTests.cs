using Netback.Tests.Support;
using Netfront.Client;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// Event-index suppression on and off (Netback:EventSuppression, NetfrontOptions.EventSuppression).
/// A request/response echo over split channels is where suppression is easiest to see: on, the
/// frontend kicks for its TX request and the backend calls for the RX echo, but nobody asks for a
/// call for the TX response nor a kick for each re-posted RX buffer. Off, every push notifies, so
/// notifications per packet rise, and traffic still flows. These tests fail if either switch does nothing.
/// </summary>
public sealed class EventSuppressionTests(ITestOutputHelper output)
{
    private const int Count = 1000;

    private sealed record Run(double CallsPerEcho, double KicksPerEcho, double KicksHeardPerEcho);

    private async Task<Run> Echo(bool backend, bool frontend)
    {
        await using var b = new InProcessBackend(o => o.EventSuppression = backend);
        using var device = NetfrontDevice.Connect(new NetfrontOptions
        {
            SocketPath = b.SocketPath, HandshakeTimeout = Patience, EventSuppression = frontend,
        });
        Assert.Equal(frontend, device.Queues[0].EventSuppression);
        using var echo = HostEcho.Start(b.Host(device.VifName));
        using var driver = new NetfrontQueueDriver<PingPongWork>(device.Queues[0],
            new PingPongWork(Frame(60, 3), Count, 0, TimeSpan.FromSeconds(30)));
        driver.Run();
        Assert.Null(driver.Work.Mismatch);
        Assert.Equal(Count, driver.Work.Echoes); // traffic flows either way
        var vif = b.Registry.Snapshot().Single();
        Assert.Equal(backend, vif.Plan.EventSuppression);
        Assert.Contains($"event suppression {(backend ? "on" : "off")}", AllLogs(b), StringComparison.Ordinal);
        var bc = vif.Queues[0].Counters;
        var fc = device.Queues[0].Counters;
        var run = new Run((double)bc.NotificationsSent / Count, (double)(fc.TxKicks + fc.RxKicks) / Count, (double)bc.NotificationsReceived / Count);
        output.WriteLine($"backend suppression {backend}, frontend {frontend}: {run.CallsPerEcho:F2} calls, {run.KicksPerEcho:F2} kicks " +
            $"(tx {fc.TxKicks}, rx {fc.RxKicks}), {run.KicksHeardPerEcho:F2} kicks heard per echo");
        return run;
    }

    [Fact]
    public async Task Backend_without_suppression_calls_for_every_push()
    {
        var on = await Echo(backend: true, frontend: true);
        var off = await Echo(backend: false, frontend: true);
        // On: about one call per echo (the RX frame); off: the TX response is called for too.
        Assert.True(off.CallsPerEcho >= on.CallsPerEcho + 0.5, $"calls per echo: on {on.CallsPerEcho:F2}, off {off.CallsPerEcho:F2}");
        Assert.True(off.CallsPerEcho >= 1.8, $"off: {off.CallsPerEcho:F2} calls per echo, expected one per push (TX and RX)");
    }

    [Fact]
    public async Task Frontend_without_suppression_kicks_for_every_push_and_asks_for_every_response()
    {
        var on = await Echo(backend: true, frontend: true);
        var off = await Echo(backend: true, frontend: false);
        // On: a kick per TX request; off: a kick per re-posted RX buffer too.
        Assert.True(off.KicksPerEcho >= on.KicksPerEcho + 0.5, $"kicks per echo: on {on.KicksPerEcho:F2}, off {off.KicksPerEcho:F2}");
        // And the suppressing backend calls for each TX response the frontend now asks for.
        Assert.True(off.CallsPerEcho >= on.CallsPerEcho + 0.5, $"calls per echo: on {on.CallsPerEcho:F2}, off {off.CallsPerEcho:F2}");
    }

    [Fact]
    public async Task A_flood_without_suppression_still_delivers_and_allocates_nothing_per_packet()
    {
        await using var b = new InProcessBackend(o => o.EventSuppression = false);
        using var device = NetfrontDevice.Connect(new NetfrontOptions
        {
            SocketPath = b.SocketPath, HandshakeTimeout = Patience, EventSuppression = false,
        });
        using var echo = HostEcho.Start(b.Host(device.VifName));
        using var driver = new NetfrontQueueDriver<TimedFloodWork>(device.Queues[0], new TimedFloodWork(Frame(60, 4)));
        driver.Work.For(TimeSpan.FromSeconds(1));
        driver.Run();
        var counters = b.Registry.Snapshot().Single().Queues[0].Counters;
        output.WriteLine($"sent {driver.Work.Sent}, received {driver.Work.Received}, backend calls {counters.NotificationsSent}, " +
            $"allocated {counters.WorkerAllocatedBytes} B (backend) / {device.Queues[0].Counters.DriverAllocatedBytes} B (frontend)");
        Assert.True(driver.Work.Sent > 1000, $"only {driver.Work.Sent} frames sent in 1 s");
        Assert.True(driver.Work.Received > 0);
        Assert.True(counters.WorkerAllocatedBytes < 64 * 1024, $"backend worker allocated {counters.WorkerAllocatedBytes} B");
        Assert.True(device.Queues[0].Counters.DriverAllocatedBytes < 64 * 1024, $"driver allocated {device.Queues[0].Counters.DriverAllocatedBytes} B");
    }
}
