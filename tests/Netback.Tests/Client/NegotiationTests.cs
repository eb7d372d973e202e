using System.Net.NetworkInformation;
using Ring.Shared.Rings;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>What a frontend asks for against what the backend offers, and a frame each way per queue.</summary>
public sealed class NegotiationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Two_devices_get_vif1_0_and_vif2_0_a_xen_mac_and_the_default_mtu()
    {
        await using var backend = new InProcessBackend();
        using var first = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        using var second = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });

        Assert.Equal("vif1.0", first.VifName);
        Assert.Equal("vif2.0", second.VifName);
        Assert.Equal((1, 0), (first.DomId, first.DevId));
        Assert.Equal((2, 0), (second.DomId, second.DevId));
        foreach (var device in new[] { first, second })
        {
            byte[] mac = device.Mac.GetAddressBytes();
            Assert.Equal(6, mac.Length);
            Assert.Equal(new byte[] { 0x00, 0x16, 0x3e }, mac[..3]);
            Assert.Equal(PhysicalAddress.Parse("fe:ff:ff:ff:ff:ff"), device.BackendMac);
            Assert.Equal(1500, device.Mtu);
        }
        Assert.NotEqual(first.Mac, second.Mac);
        Assert.True(backend.WaitForVifCount(2, Wait));
    }

    [Fact]
    public async Task The_vifspec_sets_mac_name_and_mtu()
    {
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions
        {
            SocketPath = backend.SocketPath,
            VifSpec = "mac=00:16:3e:01:02:03,vifname=vtest0,mtu=9000",
        });
        Assert.Equal(PhysicalAddress.Parse("00:16:3e:01:02:03"), device.Mac);
        Assert.Equal("vtest0", device.VifName);
        Assert.Equal(9000, device.Mtu);
        _ = backend.Host("vtest0"); // the "TAP" carries the vifspec's name
    }

    [Fact]
    public async Task Requested_domid_and_devid_name_the_vif()
    {
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, DomId = 7, DevId = 3 });
        Assert.Equal("vif7.3", device.VifName);
        Assert.Equal((7, 3), (device.DomId, device.DevId));
    }

    [Theory]
    [InlineData(8, 4, 4)]
    [InlineData(3, 2, 2)]
    [InlineData(1, 4, 1)]
    public async Task Queue_count_is_clamped_to_the_backends_maximum(int wanted, int backendMax, int expected)
    {
        await using var backend = new InProcessBackend(o => o.MaxQueues = backendMax);
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, Queues = wanted });
        Assert.Equal(expected, device.Queues.Count);
        Assert.Equal(expected, backend.Taps.HostEnds(device.VifName).Length);
    }

    [Theory]
    [InlineData(4, 1, 1)]
    [InlineData(3, 0, 0)]
    [InlineData(2, 4, 2)]
    public async Task Ring_page_order_is_clamped_to_the_backends_maximum(int wanted, int backendMax, int expected)
    {
        await using var backend = new InProcessBackend(o => o.MaxRingPageOrder = backendMax);
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, RingPageOrder = wanted });
        Assert.Equal(expected, device.RingPageOrder);
        // Xen layout: 256 slots per page of TX (and RX) ring.
        Assert.Equal(256 << expected, device.Queues[0].TxRingSize);
        Assert.Equal(256 << expected, device.Queues[0].RxRingSize);
    }

    [Fact]
    public async Task Split_channels_fall_back_to_one_when_the_backend_does_not_offer_them()
    {
        await using var backend = new InProcessBackend(o => o.SplitEventChannels = false);
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, SplitEventChannels = true });
        Assert.False(device.SplitEventChannels);
        Assert.Equal(device.Queues[0].TxCallFd, device.Queues[0].RxCallFd);
        RoundTrip(backend, device, 0);
    }

    public static TheoryData<int, int, RingLayout, bool> Combinations()
    {
        var data = new TheoryData<int, int, RingLayout, bool>();
        foreach (int queues in new[] { 1, 3 })
        {
            foreach (int order in new[] { 0, 2, 3, 4 }) // 3 and 4: the multi-page rings the lab measures carry frames too
            {
                foreach (var layout in new[] { RingLayout.Xen, RingLayout.Cacheline, RingLayout.CachelineSlot })
                {
                    foreach (bool split in new[] { true, false })
                    {
                        data.Add(queues, order, layout, split);
                    }
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task Every_queue_carries_a_frame_each_way(int queues, int order, RingLayout layout, bool split)
    {
        await using var backend = new InProcessBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions
        {
            SocketPath = backend.SocketPath,
            Queues = queues,
            RingPageOrder = order,
            Layout = layout,
            SplitEventChannels = split,
        });
        Assert.Equal(queues, device.Queues.Count);
        Assert.Equal(order, device.RingPageOrder);
        Assert.Equal(layout, device.Layout);
        Assert.Equal(split, device.SplitEventChannels);
        foreach (var queue in device.Queues)
        {
            Assert.Equal(split, queue.SplitEventChannels);
            Assert.Equal(split, queue.TxCallFd != queue.RxCallFd);
            // Every layout has Xen's slot count at the order (the cacheline ones on more pages).
            Assert.Equal(256 << order, queue.TxRingSize);
        }
        // Twice per queue, so the second frame travels after the first's notifications were consumed.
        for (int round = 0; round < 2; round++)
        {
            for (int q = 0; q < queues; q++)
            {
                RoundTrip(backend, device, q, (uint)round);
            }
        }
    }

    private static void RoundTrip(InProcessBackend backend, NetfrontDevice device, int q, uint seq = 0)
    {
        var host = backend.Host(device.VifName, q);
        var queue = device.Queues[q];
        byte stream = (byte)(0x10 + q);

        byte[] outbound = Frames.Make(seq, stream, 60 + 100 * q);
        FrontendDriver.SendOne(queue, outbound, Wait);
        byte[] atHost = FrontendDriver.HostReceive(host, Wait);
        Assert.True(Frames.Check(atHost, seq, stream, outbound.Length) is null, $"queue {q} TX: {Frames.Check(atHost, seq, stream, outbound.Length)}");

        byte[] inbound = Frames.Make(seq, (byte)(stream + 0x40), 1514 - q);
        host.Send(inbound);
        byte[] atGuest = FrontendDriver.ReceiveOne(queue, Wait);
        Assert.Equal(inbound, atGuest);
    }
}
