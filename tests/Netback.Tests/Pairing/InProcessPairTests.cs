using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Pairing;

/// <summary>The real frontend library paired with the real backend in-process (no root, no TAP).</summary>
public sealed class InProcessPairTests
{
    [Fact]
    public async Task A_frame_crosses_the_rings_both_ways()
    {
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        Assert.Equal("vif1.0", device.VifName);
        var host = backend.Host(device.VifName);
        var queue = device.Queues[0];

        // guest -> host: TX ring, backend writev into the "TAP"
        byte[] frame = new byte[100];
        frame.AsSpan(0, 6).Fill(0xff);
        frame[99] = 0x5a;
        Assert.True(queue.TrySend(frame));
        queue.PushTransmits();
        host.ReceiveTimeout = 5000;
        byte[] buffer = new byte[2048];
        int n = host.Receive(buffer);
        Assert.Equal(frame, buffer.AsSpan(0, n).ToArray());

        // host -> guest: backend readv from the "TAP" into a posted RX buffer
        byte[] back = new byte[60];
        back[59] = 0xa5;
        host.Send(back);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        byte[]? received = null;
        while (received is null && DateTime.UtcNow < deadline)
        {
            if (queue.TryReceive(out var span))
            {
                received = span.ToArray();
            }
            else
            {
                Thread.Sleep(5);
            }
        }
        Assert.NotNull(received);
        Assert.Equal(back, received);
    }
}
