using System.Net.Sockets;
using Netback.Tests.Support;
using Netfront.Client;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Client;

/// <summary>
/// TX-completion notification suppression (<see cref="NetfrontOptions.TxCompletion"/>): a guest-TX
/// flood through the in-process daemon, the frontend's driver on this thread and the daemon's
/// worker on its own, every sleep of the frontend waiting for TX slots. With either mode every
/// frame arrives in order and the flood ends (a lost call would leave the driver asleep until the
/// deadline); halfway asks the daemon for far fewer calls per packet than per-packet does when the
/// daemon's credit (rate=) paces the flood, so the comparison does not hang on the scheduler.
/// </summary>
public sealed class TxCompletionTests(ITestOutputHelper output)
{
    private const int Size = 60;

    [Theory]
    [InlineData(TxCompletionMode.PerPacket)]
    [InlineData(TxCompletionMode.Half)]
    public async Task A_tx_flood_waiting_for_slots_arrives_whole_and_loses_no_call(TxCompletionMode mode)
    {
        var run = await Flood(mode, 30_000);
        Assert.Null(run.Error);
    }

    [Fact]
    public async Task Halfway_asks_for_fewer_calls_per_packet_than_per_packet()
    {
        // The daemon's credit paces guest TX (960 bytes, 16 frames, per 10 ms window), so the ring
        // stays full and the frontend waits whatever the CPUs do: per packet, it is called after
        // each window's 16 answers; halfway, once 129 of its 256 are answered.
        const string Paced = "mtu=1500,rate=768Kb/s@10ms";
        var perPacket = await Flood(TxCompletionMode.PerPacket, 1500, Paced);
        var half = await Flood(TxCompletionMode.Half, 1500, Paced);
        Assert.Null(perPacket.Error);
        Assert.Null(half.Error);
        Assert.True(half.CallsPerPacket < perPacket.CallsPerPacket * 0.5,
            $"halfway {half.CallsPerPacket:F4} calls per packet vs per-packet {perPacket.CallsPerPacket:F4}");
        Assert.True(half.FrontendWakeups < perPacket.FrontendWakeups,
            $"halfway {half.FrontendWakeups} frontend wake-ups vs per-packet {perPacket.FrontendWakeups}");
    }

    private sealed record FloodResult(string? Error, double CallsPerPacket, long FrontendWakeups);

    private async Task<FloodResult> Flood(TxCompletionMode mode, int count, string? vifSpec = null)
    {
        await using var backend = new InProcessBackend(o => o.DefaultVifSpec = vifSpec ?? o.DefaultVifSpec);
        using var device = NetfrontDevice.Connect(new NetfrontOptions
        {
            SocketPath = backend.SocketPath,
            HandshakeTimeout = Patience,
            TxCompletion = mode,
        });
        NetfrontQueue queue = device.Queues[0];
        Assert.Equal(mode, queue.TxCompletion);
        HostTap host = backend.Host(device.VifName);
        host.ReceiveTimeout = 500;

        // The host end: read and check every frame the daemon wrote, in order.
        string? hostError = null;
        long hostFrames = 0;
        bool stop = false;
        var reader = new Thread(() =>
        {
            byte[] buffer = new byte[2048];
            uint expected = 0;
            while (!Volatile.Read(ref stop))
            {
                int n;
                try
                {
                    n = host.Receive(buffer);
                }
                catch (SocketException)
                {
                    continue; // the receive timeout: look at the stop flag
                }
                uint seq = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(buffer);
                string? e = seq < expected ? "out of order" : Frames.Check(buffer.AsSpan(0, n), seq, 0xC3, Size);
                if (e is not null)
                {
                    hostError ??= $"frame {seq} after {expected}: {e}";
                }
                expected = seq + 1;
                Interlocked.Increment(ref hostFrames);
            }
        }) { IsBackground = true, Name = "txflood-host-reader" };
        reader.Start();

        var counters = backend.Registry.Snapshot().Single().Queues[0].Counters;
        long callsBefore = counters.NotificationsSent;
        long wakeupsBefore = queue.Counters.Wakeups;
        using var driver = new NetfrontQueueDriver<TxFloodWork>(queue, new TxFloodWork(queue, count, Size, TimeSpan.FromSeconds(60)));
        driver.Run();
        string? error = driver.Work.TimedOut
            ? $"the flood did not end: {driver.Work.Sent} sent, {queue.TxInFlight} unanswered (a lost call?)"
            : null;
        long dropped = queue.Counters.TxStatusDropped + queue.Counters.TxStatusErrors;
        _ = Eventually(() => Interlocked.Read(ref hostFrames) + dropped >= count, TimeSpan.FromSeconds(10));
        Volatile.Write(ref stop, true);
        reader.Join();

        long calls = counters.NotificationsSent - callsBefore;
        long wakeups = queue.Counters.Wakeups - wakeupsBefore;
        output.WriteLine($"{mode}: {count} frames, host got {hostFrames}, dropped {dropped}; daemon calls {calls} " +
            $"({(double)calls / count:F4} per packet), TX packets {counters.TxPackets}; frontend wake-ups {wakeups}");
        error ??= hostError;
        if (error is null && hostFrames + dropped != count)
        {
            error = $"host got {hostFrames} and {dropped} were dropped of {count}";
        }
        if (error is null && hostFrames == 0)
        {
            error = "host got nothing"; // a slow host reader makes the daemon drop some (Dropped status), never all
        }
        return new FloodResult(error, (double)calls / count, wakeups);
    }
}
