using System.Diagnostics;
using Netback.Daemon.DataPath;
using Netback.Daemon.Interface;
using Netback.Tests.Client;
using Netback.Tests.Support;
using Netfront.Client;
using Netback.Daemon.Diagnostics;
using static Netback.Tests.Daemon.TestFrames;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>Anti-spoofing and rate= through the real backend's TX path, in process.</summary>
public sealed class TxPolicyTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private const string VifSpec = "mac=00:16:3e:01:02:03,ip=10.0.0.2 fd00::2";

    private static VifQueue Queue0(InProcessBackend backend) => backend.Registry.Snapshot().Single().Queues[0];

    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            Thread.Sleep(5);
        }
    }

    [Fact]
    public async Task Spoofed_frames_are_dropped_and_counted_good_ones_pass_in_order()
    {
        await using var backend = new InProcessBackend(o => o.AntiSpoofing = true);
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, VifSpec = VifSpec });
        var queue = device.Queues[0];
        var host = backend.Host(device.VifName);

        byte[] good1 = Ipv4("10.0.0.2", sourcePort: 1);
        byte[] good2 = Arp(VifMac, "10.0.0.2");
        byte[] good3 = Ipv6("fd00::2", 58, Ndp(136, "fd00::2", 2));
        byte[][] sequence =
        [
            good1,
            Ipv4("10.0.0.2", mac: OtherMac),      // SourceMac
            Ipv4("10.0.0.99"),                    // Ipv4Source
            Arp(OtherMac, "10.0.0.2"),            // ArpSenderMac
            good2,
            Arp(VifMac, "10.0.0.1"),              // ArpSenderIp
            Ipv6("fd00::3", 6, new byte[20]),     // Ipv6Source
            Ipv6("fd00::2", 58, Ndp(136, "fd00::1", 2)), // NdpTarget
            good3,
        ];
        foreach (var frame in sequence)
        {
            FrontendDriver.SendOne(queue, frame, Wait);
        }
        Assert.Equal(good1, FrontendDriver.HostReceive(host, Wait));
        Assert.Equal(good2, FrontendDriver.HostReceive(host, Wait));
        Assert.Equal(good3, FrontendDriver.HostReceive(host, Wait));

        var counters = Queue0(backend).Counters;
        WaitFor(() => counters.TxDrops[(int)TxDropReason.Spoofed] == 6, "six spoof drops");
        WaitFor(() => counters.TxPackets == 3, "three frames counted"); // counted just after the write
        foreach (var reason in new[] { SpoofDropReason.SourceMac, SpoofDropReason.Ipv4Source, SpoofDropReason.ArpSenderMac,
            SpoofDropReason.ArpSenderIp, SpoofDropReason.Ipv6Source, SpoofDropReason.NdpTarget })
        {
            Assert.Equal(1, counters.SpoofDrops[(int)reason]);
        }
        // The frontend learns of each drop as an error response, as for netback's other drops.
        WaitFor(() => { queue.ReclaimTxResponses(); return queue.Counters.TxStatusErrors == 6; }, "six error responses");
        host.ReceiveTimeout = 200;
        Assert.Throws<System.Net.Sockets.SocketException>(() => host.Receive(new byte[2048]));
    }

    [Fact]
    public async Task Without_anti_spoofing_any_source_passes()
    {
        await using var backend = new InProcessBackend(o => o.AntiSpoofing = false);
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, VifSpec = VifSpec });
        byte[] spoofed = Ipv4("10.0.0.99", mac: OtherMac);
        FrontendDriver.SendOne(device.Queues[0], spoofed, Wait);
        Assert.Equal(spoofed, FrontendDriver.HostReceive(backend.Host(device.VifName), Wait));
    }

    [Fact]
    public async Task Rate_limits_guest_tx_and_follows_a_live_change()
    {
        // 8 Mb/s = 1 MB/s in 20 ms windows of 20 000 bytes; the first window holds one interval's credit.
        await using var backend = new InProcessBackend(o => o.AntiSpoofing = true);
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, VifSpec = VifSpec + ",rate=8Mb/s@20ms" });
        var queue = device.Queues[0];
        var host = backend.Host(device.VifName);
        var vif = backend.Registry.Snapshot().Single();
        Assert.Equal("8Mb/s@20ms", vif.Rate!.ToString());

        double limited = SendAndTime(queue, host, 400, 1000);
        double expected = (400 * 1000 - 20_000) / 1_000_000.0; // seconds at 1 MB/s after the first window
        output.WriteLine($"400 kB at rate=8Mb/s@20ms: {limited:0.000} s (ideal {expected:0.000} s)");
        Assert.InRange(limited, expected * 0.9, expected * 1.5);
        Assert.True(Queue0(backend).Counters.TxRateLimited > 0);

        vif.SetRate(null);
        double unlimited = SendAndTime(queue, host, 400, 1000);
        output.WriteLine($"400 kB unlimited: {unlimited:0.000} s");
        Assert.True(unlimited < limited / 3, $"unlimited {unlimited:0.000} s vs limited {limited:0.000} s");
    }

    /// <summary>Sends <paramref name="count"/> good frames and returns the seconds until the host has them all.</summary>
    private static double SendAndTime(NetfrontQueue queue, HostTap host, int count, int size)
    {
        byte[] frame = Ipv4("10.0.0.2");
        Array.Resize(ref frame, size);
        var sw = Stopwatch.StartNew();
        var receiver = Task.Run(() =>
        {
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(size, FrontendDriver.HostReceive(host, Wait).Length);
            }
        });
        for (int i = 0; i < count; i++)
        {
            FrontendDriver.SendOne(queue, frame, Wait);
        }
        Assert.True(receiver.Wait(Wait * 3));
        return sw.Elapsed.TotalSeconds;
    }
}
