using Netback.Daemon.Interface;
using Netback.Tests.Client;
using Netback.Tests.Support;
using Netfront.Client;
using Netback.Daemon.DataPath;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// Netback:NullDataPath, the ring-only benchmark mode: guest TX is validated and answered but goes
/// nowhere, guest RX is generated. It must still be the real ring protocol end to end.
/// </summary>
public sealed class NullDataPathTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Guest_tx_is_answered_ok_and_counted_without_a_tap()
    {
        await using var backend = new InProcessBackend(o => o.NullDataPath = true, new NullTapProvider(generatesRx: false));
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        var queue = device.Queues[0];
        const int Count = 5000;
        for (uint i = 0; i < Count; i++)
        {
            FrontendDriver.SendOne(queue, Frames.Make(i, 1, 60 + (int)(i % 1400)), Wait);
        }
        FrontendDriver.ReclaimAll(queue, Wait);
        Assert.Equal(0, queue.TxInFlight);
        Assert.Equal(0, queue.Counters.TxStatusErrors + queue.Counters.TxStatusDropped);
        var counters = backend.Registry.Snapshot().Single().Queues[0].Counters;
        Assert.Equal(Count, counters.TxPackets);
    }

    [Fact]
    public async Task Guest_rx_gets_generated_frames_of_the_configured_size()
    {
        await using var backend = new InProcessBackend(o =>
        {
            o.NullDataPath = true;
            o.NullRxFrameSize = 64;
        }, new NullTapProvider(generatesRx: true));
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        var queue = device.Queues[0];
        for (int i = 0; i < 1000; i++)
        {
            byte[] frame = FrontendDriver.ReceiveOne(queue, Wait);
            Assert.Equal(64, frame.Length);
            Assert.Equal(0xFF, frame[0]);
            Assert.Equal(0x88, frame[12]);
            Assert.Equal(0xB5, frame[13]);
        }
    }
}
