using Netback.Tests.Support;
using Netfront.Client;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Client;

/// <summary>The queue driver's sleep decisions: nothing already on the ring may wait for an event that will not come.</summary>
public sealed class DriverWakeupTests
{
    [Fact]
    public async Task Rx_budget_that_comes_back_during_a_round_without_budget_is_used_before_sleeping()
    {
        // A round that starts with no RX budget neither receives nor arms rsp_event; a frame already
        // published then gets no call. If the budget comes back before the work arms its wake-up,
        // only the driver can notice. Seen in CI as an async device that held all its buffers, gave
        // them back, and never took the frames waiting on its ring.
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        NetfrontQueue queue = device.Queues[0];
        backend.Host(device.VifName).Send(Frames.Make(1, 7, 100));
        Assert.True(Eventually(() => backend.Registry.Snapshot().Single().Queues[0].Counters.RxPackets == 1), "the backend did not deliver the frame");
        queue.DrainRxCall(); // its call came already: nothing will wake a sleeping driver for it

        int[] state = [0, 0, 0];
        using (var driver = new NetfrontQueueDriver<LateBudgetWork>(queue, new LateBudgetWork(state)))
        {
            driver.Start();
            Assert.True(Eventually(() => Volatile.Read(ref state[1]) == 1, TimeSpan.FromSeconds(3)),
                $"the frame on the ring was not taken ({state[2]} sleep(s) asked, budget {state[0]})");
        }
    }
}
