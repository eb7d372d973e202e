using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Daemon;

/// <summary>Shared steps of the daemon tests: frames, a healthy real frontend, waiting without fixed sleeps.</summary>
internal static class DaemonTestKit
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>An Ethernet-looking frame whose every byte depends on <paramref name="marker"/>.</summary>
    public static byte[] Frame(int length, byte marker)
    {
        var f = new byte[length];
        for (int i = 0; i < length; i++)
        {
            f[i] = (byte)(marker + i * 7);
        }
        f.AsSpan(0, 6).Fill(0xff);   // broadcast destination
        f[12] = 0x08;                // ethertype IPv4
        f[13] = 0x00;
        return f;
    }

    /// <summary>A real Netfront.Client device on the backend (the "second, healthy vif").</summary>
    public static NetfrontDevice Healthy(InProcessBackend backend) =>
        NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, HandshakeTimeout = Patience });

    /// <summary>Receives one frame from a host socket, or fails after the timeout.</summary>
    public static byte[] ReceiveFromHost(HostTap host)
    {
        host.ReceiveTimeout = (int)Patience.TotalMilliseconds;
        var buffer = new byte[70000];
        int n = host.Receive(buffer);
        return buffer.AsSpan(0, n).ToArray();
    }

    /// <summary>Asserts that <paramref name="device"/> still passes a frame guest→host and host→guest.</summary>
    public static void AssertPassesFramesBothWays(InProcessBackend backend, NetfrontDevice device, byte marker)
    {
        var host = backend.Host(device.VifName);
        var queue = device.Queues[0];
        Assert.False(queue.IsBroken, queue.BrokenReason);

        byte[] outbound = Frame(120, marker);
        var deadline = DateTime.UtcNow + Patience;
        while (!queue.TrySend(outbound))
        {
            Assert.True(DateTime.UtcNow < deadline, "no free TX slot on the healthy device");
            queue.ReclaimTxResponses();
            Thread.Sleep(1);
        }
        queue.PushTransmits();
        Assert.Equal(outbound, ReceiveFromHost(host));

        byte[] inbound = Frame(90, (byte)(marker + 1));
        host.Send(inbound);
        byte[]? received = null;
        deadline = DateTime.UtcNow + Patience;
        while (received is null && DateTime.UtcNow < deadline)
        {
            if (queue.TryReceive(out var span))
            {
                received = span.ToArray();
            }
            else
            {
                Thread.Sleep(1);
            }
        }
        Assert.NotNull(received);
        Assert.Equal(inbound, received);
    }

    /// <summary>Polls <paramref name="condition"/> until true or the timeout.</summary>
    public static bool Eventually(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return condition();
            }
            Thread.Sleep(5);
        }
        return true;
    }

    public static string[] Warnings(InProcessBackend backend) =>
        backend.Logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToArray();

    public static string AllLogs(InProcessBackend backend) =>
        string.Join('\n', backend.Logs.Entries.Select(e => $"{e.Level}: {e.Message}"));

    /// <summary>The next message the frontend gets must be <paramref name="type"/> with a reason containing <paramref name="reasonPart"/>.</summary>
    public static string AssertReason(ControlMessage m, ControlMessageType type, XenbusState state, string reasonPart)
    {
        Assert.Equal(type, m.Type);
        Assert.Equal(state, m.State);
        string reason = m.Get(XenbusKeys.Reason) ?? "";
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
        return reason;
    }
}
