using System.CommandLine;
using System.CommandLine.Parsing;
using Ring.Shared.Abi;
using Ring.Shared.Rings;
using Ring.Shared.Topology;
using Netfront.Client;

namespace Netfront.Cli;

/// <summary>
/// <c>netfront attach</c>: connect to netbackd and turn the current network namespace into the
/// "guest" side of a vif, relaying a TAP (e.g. <c>eth0</c>) through the rings.
/// </summary>
internal static class AttachCommand
{
    public static Command Create()
    {
        var socket = new Option<string>("--socket")
        {
            Description = "The netbackd control socket.",
            DefaultValueFactory = _ => NetfrontOptions.DefaultSocketPath,
        };
        var name = new Option<string>("--name")
        {
            Description = "Name of the guest TAP created in the current network namespace.",
            DefaultValueFactory = _ => "eth0",
        };
        name.Validators.Add(r => Check(r, r.GetValueOrDefault<string>() is { Length: > 0 and < 16 } n && !n.Contains('/', StringComparison.Ordinal),
            "--name must be an interface name of 1..15 characters"));
        var address = new Option<string?>("--address")
        {
            Description = "IPv4 address of the guest interface in CIDR notation, e.g. 10.0.0.2/24.",
        };
        address.Validators.Add(r => Check(r, Ipv4Prefix.TryParse(r.GetValueOrDefault<string?>(), out _),
            "--address must be an IPv4 address with a prefix length, e.g. 10.0.0.2/24"));
        var mtu = new Option<int?>("--mtu")
        {
            Description = "MTU of the guest interface (default: the backend's mtu).",
        };
        mtu.Validators.Add(r => Check(r, r.GetValueOrDefault<int?>() is null or (>= 68 and <= 65535), "--mtu must be 68..65535"));
        var queues = new Option<int>("--queues")
        {
            Description = "Queues to request (multi-queue-num-queues); reduced to the backend's maximum.",
            DefaultValueFactory = _ => 1,
        };
        queues.Validators.Add(r => Check(r, r.GetValueOrDefault<int>() is >= 1 and <= 64, "--queues must be 1..64"));
        var order = new Option<int>("--ring-page-order")
        {
            Description = $"Pages per ring as a power of two, 0..{NetifLimits.MaxRingPageOrder}; reduced to the backend's maximum.",
            DefaultValueFactory = _ => 0,
        };
        order.Validators.Add(r => Check(r, r.GetValueOrDefault<int>() is >= 0 and <= NetifLimits.MaxRingPageOrder,
            $"--ring-page-order must be 0..{NetifLimits.MaxRingPageOrder}"));
        var layout = new Option<string>("--layout")
        {
            Description = "Ring layout: xen (Xen's sring), cacheline (indices on separate cache lines) or cacheline-slot "
                + "(also one slot per cache line); all have the same slot count at a ring-page-order, the last two span more pages.",
            DefaultValueFactory = _ => RingLayoutNames.Xen,
        };
        layout.AcceptOnlyFromAmong(RingLayoutNames.Xen, RingLayoutNames.Cacheline, RingLayoutNames.CachelineSlot);
        var single = new Option<bool>("--single-event-channel")
        {
            Description = "Use one event channel per queue for TX and RX instead of split channels.",
        };
        var vif = new Option<string?>("--vif")
        {
            Description = "Xen vifspec for the backend, e.g. \"offloads=off\". Host-side keys (mac=, ip=, bridge=, rate=, mtu=, "
                + "vifname=, tx-copy=) are the operator's: accepted from root, or where an access rule grants them.",
        };
        var domid = new Option<int?>("--domid")
        {
            Description = "The declared vif's domid (1..32751); default: the first free vif this user owns.",
        };
        domid.Validators.Add(r => Check(r, r.GetValueOrDefault<int?>() is null or (>= 1 and <= 32752), "--domid must be 1..32752"));
        var devid = new Option<int?>("--devid")
        {
            Description = "The declared vif's device id (0..255); default 0.",
        };
        devid.Validators.Add(r => Check(r, r.GetValueOrDefault<int?>() is null or (>= 0 and <= 255), "--devid must be 0..255"));

        var offloads = new Option<string>("--offloads")
        {
            Description = "Checksum and TCP segmentation offloads end to end (off: none advertised or used, and offloads=off in the vifspec).",
            DefaultValueFactory = _ => "on",
        };
        offloads.AcceptOnlyFromAmong("on", "off");
        var noReconnect = new Option<bool>("--no-reconnect")
        {
            Description = "Exit (status 1) when the backend goes away instead of reconnecting with backoff.",
        };

        var poll = new Option<int>("--poll-us")
        {
            Description = "Polling window in microseconds: after moving frames, keep looking at the rings and the guest TAP this long before sleeping (0: sleep at once).",
            DefaultValueFactory = _ => 0,
        };
        poll.Validators.Add(r => Check(r, r.GetValueOrDefault<int>() is >= 0 and <= 10_000, "--poll-us must be 0..10000"));

        var threads = new Option<string>("--threads")
        {
            Description = "Threads per queue: single (one for both directions) or split (one for guest TX, one for guest RX; needs split event channels).",
            DefaultValueFactory = _ => "single",
        };
        threads.AcceptOnlyFromAmong("single", "split");

        var cpus = new Option<string?>("--cpus")
        {
            Description = "Pin each queue's relay thread: queue i on the list's (i mod n)-th CPU of a Linux CPU list such as 0-1,3; "
                + "the list is advertised to the backend (frontend-cpus) for its Netback:Placement.",
        };
        cpus.Validators.Add(r => Check(r, r.GetValueOrDefault<string?>() is not { } list
            || CpuSet.TryParse(list, CpuTopology.Machine.PossibleCpus, out _, out _),
            $"--cpus must be a Linux CPU list such as 0-1,3 of CPUs 0..{CpuTopology.Machine.PossibleCpus - 1}, at most {CpuSet.MaxTextLength} characters"));
        var noSuppression = new Option<bool>("--no-event-suppression")
        {
            Description = "Turn ring.h's event-index suppression off: kick the backend after every push and ask for a call for every response (to measure what it saves).",
        };

        var txCompletion = new Option<string>("--tx-completion")
        {
            Description = "When a queue waiting for TX slots asks the backend for a call: half (once half the outstanding "
                + "requests are answered, as xen-netfront) or per-packet (at the next response).",
            DefaultValueFactory = _ => "half",
        };
        txCompletion.Validators.Add(r =>
        {
            string? value = r.GetValueOrDefault<string>();
            Check(r, value is "half" or "per-packet", $"--tx-completion must be 'half' or 'per-packet', not '{value}'");
        });

        var command = new Command("attach", "Connect to netbackd and relay a guest TAP in the current network namespace through the vif.")
        {
            socket, name, address, mtu, queues, order, layout, single, vif, domid, devid, offloads, noReconnect, poll, threads, cpus, noSuppression, txCompletion,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(threads) == "split" && r.GetValue(single))
            {
                r.AddError("--threads split needs split event channels: it cannot go with --single-event-channel");
            }
        });
        command.SetAction(parse =>
        {
            _ = RingLayoutNames.TryParse(parse.GetValue(layout), out var ringLayout);
            _ = Ipv4Prefix.TryParse(parse.GetValue(address), out var prefix);
            var settings = new AttachSettings(
                new NetfrontOptions
                {
                    SocketPath = parse.GetValue(socket)!,
                    Queues = parse.GetValue(queues),
                    RingPageOrder = parse.GetValue(order),
                    Layout = ringLayout,
                    SplitEventChannels = !parse.GetValue(single),
                    VifSpec = parse.GetValue(vif),
                    DomId = parse.GetValue(domid),
                    DevId = parse.GetValue(devid),
                    Offloads = parse.GetValue(offloads) == "on",
                    Cpus = parse.GetValue(cpus),
                    EventSuppression = !parse.GetValue(noSuppression),
                    TxCompletion = parse.GetValue(txCompletion) == "per-packet" ? TxCompletionMode.PerPacket : TxCompletionMode.Half,
                },
                parse.GetValue(name)!,
                prefix,
                parse.GetValue(mtu),
                Reconnect: !parse.GetValue(noReconnect),
                PollMicroseconds: parse.GetValue(poll),
                SplitThreads: parse.GetValue(threads) == "split");
            return GuestRelay.Run(settings);
        });
        return command;
    }

    private static void Check(OptionResult result, bool ok, string message)
    {
        if (!ok)
        {
            result.AddError(message);
        }
    }
}
