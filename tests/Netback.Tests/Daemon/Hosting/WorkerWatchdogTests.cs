using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Netback.Daemon.DataPath;
using Netback.Daemon.Hosting;

namespace Netback.Tests.Daemon.Hosting;

/// <summary>
/// The systemd watchdog: WATCHDOG=1 only while every worker is alive (sleeping in epoll_wait or
/// moving); a worker that did neither for a period withholds it.
/// </summary>
public sealed class WorkerWatchdogTests
{
    private sealed class Notifier : ISystemdNotifier
    {
        public List<string> Sent { get; } = [];

        public bool IsEnabled => true;

        public void Notify(ServiceState state) => Sent.Add(state.ToString());
    }

    [Fact]
    public void Pings_while_workers_sleep_or_move_and_withholds_once_one_is_stuck()
    {
        var pulses = new WorkerPulses();
        var sleeping = new WorkerPulse("vif1.0-q0");
        var busy = new WorkerPulse("vif1.0-q1");
        pulses.Add(sleeping);
        pulses.Add(busy);
        sleeping.Sleep(true);
        var notifier = new Notifier();
        var dog = new WorkerWatchdog(notifier, pulses, NullLogger<WorkerWatchdog>.Instance, TimeSpan.FromSeconds(1));

        busy.Beat();
        Assert.True(dog.Tick()); // first sight: given the benefit of the doubt
        busy.Beat();
        Assert.True(dog.Tick()); // moved since
        Assert.False(dog.Tick()); // neither moved nor sleeping for a whole period: stuck
        Assert.Equal(["vif1.0-q1"], pulses.Stuck());

        busy.Sleep(true);
        Assert.True(dog.Tick()); // back in epoll_wait
        pulses.Remove(busy);
        Assert.True(dog.Tick());
        Assert.Equal(4, notifier.Sent.Count);
        Assert.All(notifier.Sent, s => Assert.Equal("WATCHDOG=1", s));
    }

    [Theory]
    [InlineData("10000000", null, 5000.0)]
    [InlineData("10000000", "42", 5000.0)]
    [InlineData("10000000", "7", null)]
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    public void The_period_is_half_of_WATCHDOG_USEC_for_this_process(string? usec, string? pid, double? expectedMs)
    {
        Assert.Equal(expectedMs, WorkerWatchdog.Interval(usec, pid, 42)?.TotalMilliseconds);
    }
}
