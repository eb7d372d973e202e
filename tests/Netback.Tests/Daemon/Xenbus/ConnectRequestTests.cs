using Netback.Daemon.Configuration;
using Netback.Daemon.Xenbus;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Rings;
using Netback.Daemon.Interface;
using Ring.Shared.Topology;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>ConnectRequest.Parse: every value bounded, every fd index named exactly once (netback's connect()).</summary>
public sealed class ConnectRequestTests
{
    private static NetbackOptions Options(Action<NetbackOptions>? configure = null)
    {
        var o = new NetbackOptions { MaxQueues = 4, MaxRingPageOrder = 4, SplitEventChannels = true };
        configure?.Invoke(o);
        return o;
    }

    /// <summary>
    /// A valid Connect: ring pages first (TX then RX per queue, each what the wider of the layout's
    /// TX and RX rings spans at that order: 2^order for xen), data pages after,
    /// fds = memfd then per queue split (TX kick, TX call, RX kick, RX call) or single (kick, call).
    /// </summary>
    private static (ControlMessage Message, int Fds) Valid(int queues = 1, int order = 0, bool split = true, string layout = "xen")
    {
        Assert.True(RingLayoutNames.TryParse(layout, out var l), layout);
        int ringPages = Math.Max(RingGeometry.For(RingKind.Tx, l, order).Pages, RingGeometry.For(RingKind.Rx, l, order).Pages);
        int dataFirst = queues * 2 * ringPages;
        var m = new ControlMessage(ControlMessageType.Connect) { State = XenbusState.Connected };
        m.Set(XenbusKeys.MultiQueueNumQueues, queues);
        m.Set(XenbusKeys.RingPageOrder, order);
        m.Set(XenbusKeys.RingLayout, layout);
        m.Set(XenbusKeys.RequestRxCopy, true);
        m.Set(XenbusKeys.FeatureRxNotify, true);
        m.Set(XenbusKeys.GrantPages, dataFirst + 64);
        m.Set(XenbusKeys.DataPageFirst, dataFirst);
        m.Set(XenbusKeys.GrantAreaFd, 0);
        int fd = 1;
        for (int q = 0; q < queues; q++)
        {
            m.Set(XenbusKeys.Queue(queues, q, XenbusKeys.TxRingRef), q * 2 * ringPages);
            m.Set(XenbusKeys.Queue(queues, q, XenbusKeys.RxRingRef), q * 2 * ringPages + ringPages);
            if (split)
            {
                m.Set(XenbusKeys.Queue(queues, q, XenbusKeys.EventChannelTx), $"{fd},{fd + 1}");
                m.Set(XenbusKeys.Queue(queues, q, XenbusKeys.EventChannelRx), $"{fd + 2},{fd + 3}");
                fd += 4;
            }
            else
            {
                m.Set(XenbusKeys.Queue(queues, q, XenbusKeys.EventChannel), $"{fd},{fd + 1}");
                fd += 2;
            }
        }
        return (m, fd);
    }

    private static string Refused(ControlMessage m, int fds, NetbackOptions? options = null) =>
        Assert.Throws<ControlProtocolException>(() => ConnectRequest.Parse(m, fds, options ?? Options())).Message;

    // ---------------------------------------------------------------- accepted

    [Fact]
    public void One_queue_split_channels_with_top_level_keys()
    {
        var (m, fds) = Valid();
        m.Set(XenbusKeys.VifSpec, "mac=00:16:3e:0a:0b:0c,mtu=9000");
        m.Set(XenbusKeys.DomId, 7);
        m.Set(XenbusKeys.Handle, 2);
        var r = ConnectRequest.Parse(m, fds, Options());
        Assert.Equal(1, r.NumQueues);
        Assert.Equal(0, r.RingPageOrder);
        Assert.Equal(RingLayout.Xen, r.Layout);
        Assert.True(r.SplitEventChannels);
        Assert.Equal(66, r.GrantPages);
        Assert.Equal(2, r.DataPageFirst);
        Assert.Equal(0, r.GrantAreaFd);
        Assert.Equal(new QueuePlan(0, 1, 1, 2, 3, 4), Assert.Single(r.Queues));
        Assert.Equal("00:16:3e:0a:0b:0c", XenMac.Format(r.Spec.Mac!));
        Assert.Equal(9000, r.Spec.Mtu);
        Assert.Equal(7, r.DomId);
        Assert.Equal(2, r.Handle);
    }

    [Fact]
    public void One_queue_single_channel()
    {
        var (m, fds) = Valid(split: false);
        Assert.Equal(3, fds);
        var r = ConnectRequest.Parse(m, fds, Options());
        Assert.False(r.SplitEventChannels);
        Assert.Equal(new QueuePlan(0, 1, 1, 2, 1, 2), Assert.Single(r.Queues));
        Assert.Null(r.DomId);
        Assert.Null(r.Handle);
        Assert.Null(r.Spec.Mac);
    }

    [Fact]
    public void Absent_optional_keys_take_Xen_defaults()
    {
        var (m, fds) = Valid();
        var bare = new ControlMessage(ControlMessageType.Connect) { State = XenbusState.Connected };
        foreach (var e in m.Entries)
        {
            if (e.Key is not (XenbusKeys.MultiQueueNumQueues or XenbusKeys.RingPageOrder or XenbusKeys.RingLayout))
            {
                bare.Set(e.Key, e.Value);
            }
        }
        var r = ConnectRequest.Parse(bare, fds, Options());
        Assert.Equal(1, r.NumQueues);
        Assert.Equal(0, r.RingPageOrder);
        Assert.Equal(RingLayout.Xen, r.Layout);
    }

    [Fact]
    public void Three_queues_split_under_queue_N_with_multi_page_cacheline_rings()
    {
        var (m, fds) = Valid(queues: 3, order: 2, layout: "cacheline");
        Assert.Equal(13, fds);
        var r = ConnectRequest.Parse(m, fds, Options());
        Assert.Equal(3, r.NumQueues);
        Assert.Equal(2, r.RingPageOrder);
        Assert.Equal(RingLayout.Cacheline, r.Layout);
        Assert.True(r.SplitEventChannels);
        // cacheline at order 2: Xen's 1024 slots, TX 256 + 1024 * 16 bytes = 5 pages (RX 3): 5 per ring.
        Assert.Equal(30, r.DataPageFirst);
        Assert.Equal(
            new[] { new QueuePlan(0, 5, 1, 2, 3, 4), new QueuePlan(10, 15, 5, 6, 7, 8), new QueuePlan(20, 25, 9, 10, 11, 12) },
            r.Queues);
    }

    [Theory]
    [InlineData("xen", 0)]
    [InlineData("cacheline", 0)]
    [InlineData("cacheline-slot", 0)]
    [InlineData("cacheline-slot", 4)]
    public void Each_layout_is_accepted_when_its_rings_fit_their_pages(string layout, int order)
    {
        var (m, fds) = Valid(order: order, layout: layout);
        var r = ConnectRequest.Parse(m, fds, Options());
        Assert.Equal(layout, r.Layout.ToKey());
        Assert.Equal(order, r.RingPageOrder);
    }

    [Theory]
    [InlineData("cacheline-slot", 0, 5)]  // TX: 256 + 256 * 64 bytes = 5 pages; the xen Connect gave each ring 1
    [InlineData("cacheline-slot", 2, 17)] // TX: 256 + 1024 * 64 bytes = 17 pages; the xen Connect gave 4
    public void A_layout_whose_rings_do_not_fit_the_ring_pages_granted_is_refused(string layout, int order, int txPages)
    {
        // Laid out for xen (2^order pages per ring), then asking for a wider layout at the same order.
        var (m, fds) = Valid(order: order);
        m.Set(XenbusKeys.RingLayout, layout);
        string message = Refused(m, fds);
        Assert.Contains("'tx-ring-ref' 0", message, StringComparison.Ordinal);
        Assert.Contains($"ring-layout {layout} ring of ring-page-order {order} spans {txPages} page(s)", message, StringComparison.Ordinal);
        Assert.Contains($"data-page-first {2 << order}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cacheline_tx_ring_that_spills_into_the_rx_ring_granted_is_refused()
    {
        // cacheline at order 0: the TX ring spans 2 pages (256 + 256 * 16 bytes), the xen Connect put RX at page 1.
        var (m, fds) = Valid(order: 0);
        m.Set(XenbusKeys.RingLayout, "cacheline");
        Assert.Equal("rings 'tx-ring-ref' and 'rx-ring-ref' overlap", Refused(m, fds));
    }

    [Fact]
    public void Three_queues_single_channels()
    {
        var (m, fds) = Valid(queues: 3, split: false);
        Assert.Equal(7, fds);
        var r = ConnectRequest.Parse(m, fds, Options());
        Assert.False(r.SplitEventChannels);
        Assert.Equal(
            new[] { new QueuePlan(0, 1, 1, 2, 1, 2), new QueuePlan(2, 3, 3, 4, 3, 4), new QueuePlan(4, 5, 5, 6, 5, 6) },
            r.Queues);
    }

    [Fact]
    public void The_memfd_may_sit_at_any_index()
    {
        var (m, fds) = Valid(split: false);
        m.Set(XenbusKeys.GrantAreaFd, 2);
        m.Set(XenbusKeys.EventChannel, "0,1");
        var r = ConnectRequest.Parse(m, fds, Options());
        Assert.Equal(2, r.GrantAreaFd);
        Assert.Equal(new QueuePlan(0, 1, 0, 1, 0, 1), r.Queues[0]);
    }

    // ---------------------------------------------------------------- refused

    [Fact]
    public void Wrong_message_type_is_refused()
    {
        var m = new ControlMessage(ControlMessageType.State) { State = XenbusState.Connected };
        Assert.Contains("expected Connect", Refused(m, 5), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(0)]
    public void Wrong_state_is_refused(int state)
    {
        var (m, fds) = Valid();
        m.Set(XenbusKeys.State, state);
        Assert.Contains("state", Refused(m, fds), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("yes")]
    public void Request_rx_copy_must_be_1(string? value)
    {
        var (m, fds) = Valid();
        var copy = Without(m, XenbusKeys.RequestRxCopy);
        if (value is not null)
        {
            copy.Set(XenbusKeys.RequestRxCopy, value);
        }
        Assert.Contains("request-rx-copy", Refused(copy, fds), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(XenbusKeys.MultiQueueNumQueues, "0")]
    [InlineData(XenbusKeys.MultiQueueNumQueues, "5")]      // max 4
    [InlineData(XenbusKeys.MultiQueueNumQueues, "-1")]
    [InlineData(XenbusKeys.RingPageOrder, "5")]
    [InlineData(XenbusKeys.GrantPages, "1")]
    [InlineData(XenbusKeys.GrantPages, "262145")]         // GrantArea.MaxPages + 1
    [InlineData(XenbusKeys.GrantPages, "abc")]
    [InlineData(XenbusKeys.DataPageFirst, "0")]
    [InlineData(XenbusKeys.DataPageFirst, "66")]          // = grant-pages
    [InlineData(XenbusKeys.GrantAreaFd, "5")]             // only 5 fds: 0..4
    [InlineData(XenbusKeys.GrantAreaFd, "-1")]
    [InlineData(XenbusKeys.TxRingRef, "2")]               // data-page-first 2, one-page rings: 0..1
    [InlineData(XenbusKeys.RxRingRef, "4294967295")]
    [InlineData(XenbusKeys.EventChannelTx, "1")]
    [InlineData(XenbusKeys.EventChannelTx, "1,2,3")]
    [InlineData(XenbusKeys.EventChannelTx, "a,b")]
    [InlineData(XenbusKeys.EventChannelTx, "1,5")]        // fd 5 does not exist
    [InlineData(XenbusKeys.EventChannelTx, "-1,2")]
    [InlineData(XenbusKeys.EventChannelTx, " 1,2")]
    [InlineData(XenbusKeys.EventChannelRx, "3;4")]
    [InlineData(XenbusKeys.DomId, "0")]
    [InlineData(XenbusKeys.DomId, "32752")]               // DOMID_FIRST_RESERVED
    [InlineData(XenbusKeys.Handle, "256")]
    public void An_out_of_range_or_malformed_value_is_refused_naming_its_key(string key, string value)
    {
        var (m, fds) = Valid();
        m.Set(key, value);
        Assert.Contains($"'{key}'", Refused(m, fds), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("virtio")]
    [InlineData("XEN")]
    [InlineData("")]
    [InlineData("cacheline_slot")]
    [InlineData("cacheline-slots")]
    public void An_unknown_ring_layout_is_refused(string layout)
    {
        var (m, fds) = Valid();
        m.Set(XenbusKeys.RingLayout, layout);
        string message = Refused(m, fds);
        Assert.Contains($"unknown ring-layout '{layout}'", message, StringComparison.Ordinal);
        Assert.Contains("(xen, cacheline or cacheline-slot)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ring_page_order_above_the_configured_maximum_is_refused()
    {
        var (m, fds) = Valid(order: 3);
        string message = Refused(m, fds, Options(o => o.MaxRingPageOrder = 2));
        Assert.Contains("'ring-page-order'", message, StringComparison.Ordinal);
        Assert.Contains("0..2", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ring_that_runs_into_the_data_pages_is_refused()
    {
        // order 1: two-page rings; data-page-first 4 leaves refs 0..2 legal, 3 would overrun page 4.
        var (m, fds) = Valid(order: 1);
        m.Set(XenbusKeys.RxRingRef, 3);
        Assert.Contains("'rx-ring-ref'", Refused(m, fds), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, 0, 1)]   // two-page rings at 0 and 1 share page 1
    [InlineData(1, 2, 1)]
    public void Overlapping_rings_are_refused(int order, int tx, int rx)
    {
        var (m, fds) = Valid(order: order);
        m.Set(XenbusKeys.TxRingRef, tx);
        m.Set(XenbusKeys.RxRingRef, rx);
        string message = Refused(m, fds);
        Assert.Contains("overlap", message, StringComparison.Ordinal);
        Assert.Contains("tx-ring-ref", message, StringComparison.Ordinal);
        Assert.Contains("rx-ring-ref", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rings_of_different_queues_overlapping_are_refused()
    {
        var (m, fds) = Valid(queues: 2);
        m.Set("queue-1/tx-ring-ref", 1); // queue 0's RX ring
        Assert.Contains("overlap", Refused(m, fds), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(XenbusKeys.TxRingRef, "0")]
    [InlineData(XenbusKeys.RxRingRef, "1")]
    [InlineData(XenbusKeys.EventChannel, "1,2")]
    [InlineData(XenbusKeys.EventChannelTx, "1,2")]
    [InlineData(XenbusKeys.EventChannelRx, "3,4")]
    public void Top_level_per_queue_keys_with_several_queues_are_refused(string key, string value)
    {
        var (m, fds) = Valid(queues: 2);
        m.Set(key, value);
        string message = Refused(m, fds);
        Assert.Contains($"top-level '{key}'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Per_queue_keys_missing_under_queue_N_are_refused()
    {
        var (m, fds) = Valid(queues: 2);
        var copy = Without(m, "queue-1/tx-ring-ref");
        Assert.Contains("'queue-1/tx-ring-ref'", Refused(copy, fds), StringComparison.Ordinal);
    }

    [Fact]
    public void Mixed_split_and_single_queues_are_refused()
    {
        var (m, _) = Valid(queues: 2);
        var copy = Without(Without(m, "queue-1/event-channel-tx"), "queue-1/event-channel-rx");
        copy.Set("queue-1/event-channel", "5,6");
        Assert.Contains("same event-channel mode", Refused(copy, 7), StringComparison.Ordinal);
    }

    [Fact]
    public void A_queue_naming_split_and_single_channels_is_refused()
    {
        var (m, fds) = Valid();
        m.Set(XenbusKeys.EventChannel, "1,2");
        Assert.Contains("both split and single", Refused(m, fds), StringComparison.Ordinal);
    }

    [Fact]
    public void Split_channels_when_not_offered_are_refused()
    {
        var (m, fds) = Valid();
        Assert.Contains("split event channels were not offered", Refused(m, fds, Options(o => o.SplitEventChannels = false)), StringComparison.Ordinal);
        var (single, singleFds) = Valid(split: false);
        Assert.False(ConnectRequest.Parse(single, singleFds, Options(o => o.SplitEventChannels = false)).SplitEventChannels);
    }

    [Fact]
    public void A_missing_event_channel_is_refused()
    {
        var (m, fds) = Valid(split: false);
        Assert.Contains("'event-channel'", Refused(Without(m, XenbusKeys.EventChannel), fds), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(XenbusKeys.EventChannelRx, "1,4", "fd 1")]     // TX kick again
    [InlineData(XenbusKeys.EventChannelTx, "0,2", "fd 0")]     // the memfd
    [InlineData(XenbusKeys.EventChannelTx, "2,2", "fd 2")]     // kick = call
    public void An_fd_index_used_twice_is_refused(string key, string value, string fd)
    {
        var (m, fds) = Valid();
        m.Set(key, value);
        string message = Refused(m, fds);
        Assert.Contains("used twice", message, StringComparison.Ordinal);
        Assert.Contains(fd, message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_fd_named_by_no_key_is_refused()
    {
        var (m, fds) = Valid();
        Assert.Contains("fd 5 of 6 is not named by any key", Refused(m, fds + 1), StringComparison.Ordinal);
    }

    [Fact]
    public void A_Connect_without_fds_is_refused()
    {
        var (m, _) = Valid();
        Assert.Contains("no file descriptors", Refused(m, 0), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mac=ff:ff:ff:ff:ff:ff")]
    [InlineData("colour=blue")]
    [InlineData("mtu=1")]
    public void A_bad_vifspec_is_refused(string spec)
    {
        var (m, fds) = Valid();
        m.Set(XenbusKeys.VifSpec, spec);
        Assert.StartsWith("vifspec:", Refused(m, fds), StringComparison.Ordinal);
    }

    [Fact]
    public void The_highest_domid_and_handle_are_accepted()
    {
        var (m, fds) = Valid();
        m.Set(XenbusKeys.DomId, 32751);
        m.Set(XenbusKeys.Handle, 255);
        var r = ConnectRequest.Parse(m, fds, Options());
        Assert.Equal(32751, r.DomId);
        Assert.Equal(255, r.Handle);
    }

    private static ControlMessage Without(ControlMessage m, string key)
    {
        var copy = new ControlMessage(m.Type);
        foreach (var e in m.Entries)
        {
            if (e.Key != key)
            {
                copy.Set(e.Key, e.Value);
            }
        }
        return copy;
    }

    // ---------------------------------------------------------------- frontend-cpus / frontend-node

    /// <summary>A made-up machine: CPUs 0..7 possible, 0..5 online, node 0 = 0-2, node 1 = 3-5.</summary>
    private static readonly CpuTopology TwoNodes = new(8, CpuSet.Of([0, 1, 2, 3, 4, 5]),
        new Dictionary<int, CpuSet> { [0] = CpuSet.Of([0, 1, 2]), [1] = CpuSet.Of([3, 4, 5]) });

    [Theory]
    [InlineData("garbage", "'frontend-cpus' is not a CPU list")]
    [InlineData("-1", "'frontend-cpus' is not a CPU list")]
    [InlineData("5-2", "'frontend-cpus' has the reversed range 5-2")]
    [InlineData("8", "'frontend-cpus' names CPU 8, but this machine's CPUs are 0..7")]
    [InlineData("0-4294967295", "'frontend-cpus' is not a CPU list")]
    [InlineData("", "'frontend-cpus' is empty")]
    public void A_hostile_frontend_cpus_is_refused_naming_the_key_and_what_is_allowed(string value, string part)
    {
        var (m, fds) = Valid();
        m.Set(XenbusKeys.FrontendCpus, value);
        string reason = Assert.Throws<ControlProtocolException>(() => ConnectRequest.Parse(m, fds, Options(), TwoNodes)).Message;
        Assert.Contains(part, reason, StringComparison.Ordinal);
        Assert.Contains("allowed: a Linux CPU list such as 0-1,3 of CPUs 0..7", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_frontend_cpus_longer_than_256_characters_is_refused()
    {
        var (m, fds) = Valid();
        m.Set(XenbusKeys.FrontendCpus, string.Join(',', Enumerable.Repeat("1", 500)));
        string reason = Assert.Throws<ControlProtocolException>(() => ConnectRequest.Parse(m, fds, Options(), TwoNodes)).Message;
        Assert.Contains("'frontend-cpus' is longer than 256 characters", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2", "'frontend-node' 2 is not a NUMA node of this machine (allowed: 0,1)")]
    [InlineData("-1", "key 'frontend-node' = '-1' is not an integer in 0..1023 (allowed: a NUMA node of this machine: 0,1)")]
    [InlineData("zero", "is not an integer")]
    [InlineData("99999999999", "is not an integer")]
    public void A_hostile_frontend_node_is_refused(string value, string part)
    {
        var (m, fds) = Valid();
        m.Set(XenbusKeys.FrontendNode, value);
        string reason = Assert.Throws<ControlProtocolException>(() => ConnectRequest.Parse(m, fds, Options(), TwoNodes)).Message;
        Assert.Contains(part, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Frontend_cpus_and_node_are_taken_and_an_offline_cpu_is_left_to_placement()
    {
        var (m, fds) = Valid();
        m.Set(XenbusKeys.FrontendCpus, "7,3-4");
        m.Set(XenbusKeys.FrontendNode, 1);
        var r = ConnectRequest.Parse(m, fds, Options(), TwoNodes);
        Assert.Equal("3-4,7", r.FrontendCpus!.ToString());
        Assert.Equal(1, r.FrontendNode);
        var absent = ConnectRequest.Parse(Valid().Message, fds, Options(), TwoNodes);
        Assert.Null(absent.FrontendCpus);
        Assert.Null(absent.FrontendNode);
    }
}
