using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// No busy spinning: an attached but idle vif costs neither the daemon nor netfront any CPU, because
/// both sides sleep in epoll_wait after ring.h's final checks until a kick, a call or a frame arrives.
/// </summary>
public sealed class IdleCpuTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task An_idle_vif_uses_no_cpu_on_either_side()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        ChildProcess daemon = await bed.StartDaemonAsync(Ct, "--max-queues", "2");
        Frontend front = await bed.AttachAsync(bed.Guests[0], $"{net}.2/24", Ct, "--queues", "2");
        await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);
        await bed.PingAsync(bed.Guests[0], $"{net}.1", Ct); // the data path has run in both directions
        await Task.Delay(TimeSpan.FromSeconds(1), Ct); // let start-up work (JIT, GC) finish

        long daemonBefore = ProcCpu.Ticks(daemon.Pid);
        long frontBefore = ProcCpu.Ticks(front.Process.Pid);
        var window = TimeSpan.FromSeconds(5);
        await Task.Delay(window, Ct);
        long daemonTicks = ProcCpu.Ticks(daemon.Pid) - daemonBefore;
        long frontTicks = ProcCpu.Ticks(front.Process.Pid) - frontBefore;

        Output.WriteLine($"idle {window.TotalSeconds} s with 2 queues: netbackd {daemonTicks * 10} ms CPU, netfront {frontTicks * 10} ms CPU");
        // A spinning worker would burn ~500 ticks here; allow a little for the runtime's own timers
        // (tiered JIT, GC) and IPv6 router/neighbour chatter the kernel may send over the link.
        Assert.True(daemonTicks <= 5, $"netbackd used {daemonTicks * 10} ms of CPU in {window.TotalSeconds} s idle");
        Assert.True(frontTicks <= 5, $"netfront used {frontTicks * 10} ms of CPU in {window.TotalSeconds} s idle");
    }
}
