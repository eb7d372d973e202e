using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ring.Shared.Rings;
using Ring.Shared.Tap;
using Netfront.Client;

namespace Netfront.Cli;

/// <summary>
/// The "guest" of <c>netfront attach</c>: a vif from netbackd on one side, a multi-queue TAP in the
/// current network namespace on the other (TAP queue i ↔ vif queue i; the kernel spreads flows over
/// the TAP queues by flow hash), and a <see cref="RelayAttachment"/> (a queue driver per queue) in
/// between. Runs until SIGINT/SIGTERM (exit 0). The library's <see cref="NetfrontConnection"/>
/// keeps the vif attached across daemon restarts: the guest TAP stays, its carrier follows the
/// connection's, and the new device must have the TAP's queue count; with <c>--no-reconnect</c>
/// (<see cref="NetfrontReconnectPolicy.Never"/>) the backend's end is exit 1.
/// </summary>
internal sealed class GuestRelay : IDisposable
{
    private readonly AttachSettings _settings;
    private readonly ManualResetEventSlim _wake = new(false);
    private NetfrontConnection? _connection;
    private TapDevice? _tap;
    private int _mtu;
    private volatile bool _signalled;
    private volatile string? _failure;
    private bool _announceFailed;

    private GuestRelay(AttachSettings settings) => _settings = settings;

    /// <summary>Runs the relay; returns the process exit code. Errors are one line on stderr.</summary>
    public static int Run(AttachSettings settings)
    {
        using var relay = new GuestRelay(settings);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, relay.OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, relay.OnSignal);
        try
        {
            relay.Start();
        }
        catch (Exception e) when (e is NetfrontException or TapException or NetDeviceException or ArgumentException)
        {
            return Fail(e.Message);
        }
        return relay.Serve();
    }

    private void Start()
    {
        var policy = _settings.Reconnect ? NetfrontReconnectPolicy.Default : NetfrontReconnectPolicy.Never;
        _connection = new NetfrontConnection(_settings.Frontend, policy, Attach);
        _connection.CarrierChanged += OnCarrierChanged;
        _connection.ReconnectFailed += (_, e) =>
        {
            if (e.Attempt == 1 || e.Attempt % 10 == 0)
            {
                Console.Error.WriteLine($"netfront: reconnect attempt {e.Attempt} failed: {e.Reason}");
            }
        };
        _connection.Ended += (_, e) => OnFailure(e.Reason);
        _connection.Open();
        NotifyPeers(); // xen-netfront's netback_changed: netdev_notify_peers whenever the backend is Connected
        var device = _connection.Device!;
        Console.Out.WriteLine($"attached {device.VifName} mac {NetfrontConnection.FormatMac(device.Mac.GetAddressBytes())} queues {device.Queues.Count} " +
            $"ring-page-order {device.RingPageOrder} layout {device.Layout.ToKey()} mtu {_mtu} " +
            $"offloads tx {device.TxOffloads} rx {device.RxOffloads} tx-completion {(_settings.Frontend.TxCompletion == TxCompletionMode.Half ? "half" : "per-packet")}" +
            (_settings.Frontend.Cpus is null ? "" : $" cpus {string.Join(",", device.Queues.Select(q => $"q{q.Index}:{q.Cpu}"))}") +
            (_settings.Frontend.EventSuppression ? "" : " event-suppression off"));
        Console.Out.Flush();
    }

    /// <summary>
    /// Called with each new device: the first creates the guest TAP (one queue per vif queue, a
    /// virtio_net_hdr on every frame, offloads as the backend accepts them on TX), later ones must
    /// fit it. Then a driver per queue.
    /// </summary>
    private RelayAttachment Attach(NetfrontDevice device)
    {
        if (_tap is null)
        {
            _tap = TapDevice.Create(_settings.GuestName, device.Queues.Count, vnetHeader: true);
            _mtu = _settings.Mtu ?? device.Mtu;
            string name = _settings.GuestName;
            NetDevice.SetMac(name, device.Mac);
            NetDevice.SetMtu(name, _mtu);
            if (_settings.Address is { } address)
            {
                NetDevice.SetIPv4(name, address.Address, address.PrefixLength);
            }
            NetDevice.SetUp(name, true);
        }
        else if (device.Queues.Count != _tap.Queues.Count)
        {
            throw new NetfrontException($"the backend now offers {device.Queues.Count} queue(s), the guest TAP has {_tap.Queues.Count}");
        }
        _tap.SetOffload(device.TxOffloads);
        return new RelayAttachment(device, _tap, _mtu, TimeSpan.FromMicroseconds(_settings.PollMicroseconds),
            e => OnFailure($"queue relay failed: {e.Message}"), _settings.SplitThreads);
    }

    private void OnCarrierChanged(object? sender, NetfrontCarrierEventArgs e)
    {
        // Carrier off: the guest stack stops queueing on the TAP while the backend is away.
        _tap?.TrySetCarrier(e.CarrierUp);
        if (e.CarrierUp)
        {
            NotifyPeers();
            Console.Out.WriteLine($"{e.Reason} after {(long)e.Outage.TotalMilliseconds} ms (attempt {e.Attempt})");
            Console.Out.Flush();
        }
        else if (_settings.Reconnect)
        {
            Console.Error.WriteLine($"netfront: {e.Reason}; reconnecting");
        }
    }

    /// <summary>
    /// Once attached and after each reconnect, as xen-netfront does whenever its backend turns
    /// Connected (<c>netdev_notify_peers</c>, resume included): a gratuitous ARP for
    /// each IPv4 address of the guest TAP and an unsolicited neighbour advertisement for each IPv6 one,
    /// sent out of the TAP so they cross the new vif: the bridge learns the guest's MAC on its new
    /// port at once. A failure is one line on stderr; the relay goes on.
    /// </summary>
    private void NotifyPeers()
    {
        var device = _connection?.Device;
        if (_tap is null || device is null)
        {
            return;
        }
        string name = _settings.GuestName;
        try
        {
            foreach (byte[] frame in PeerNotification.Frames(device.Mac, GuestAddresses(name)))
            {
                NetDevice.SendFrame(name, frame);
            }
        }
        catch (Exception e) when (e is NetDeviceException or NetworkInformationException or IOException)
        {
            // Said once: without CAP_NET_RAW (an unprivileged guest) every attempt fails the same way.
            if (!_announceFailed)
            {
                _announceFailed = true;
                Console.Error.WriteLine($"netfront: could not announce {name}'s addresses (needs CAP_NET_RAW): {e.Message}; not said again");
            }
        }
    }

    /// <summary>
    /// The guest TAP's IPv4 addresses, and its IPv6 ones that are usable (not tentative, optimistic or
    /// DAD-failed, as Linux's ndisc_send_unsol_na skips them), from /proc/net/if_inet6.
    /// </summary>
    private static List<IPAddress> GuestAddresses(string name)
    {
        var nic = Array.Find(NetworkInterface.GetAllNetworkInterfaces(), n => n.Name == name);
        var addresses = nic?.GetIPProperties().UnicastAddresses.Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToList() ?? [];
        const int Unusable = 0x40 | 0x08 | 0x04; // IFA_F_TENTATIVE, IFA_F_DADFAILED, IFA_F_OPTIMISTIC
        if (File.Exists("/proc/net/if_inet6"))
        {
            foreach (string line in File.ReadLines("/proc/net/if_inet6"))
            {
                // "<32 hex digits> <ifindex> <prefix length> <scope> <flags> <name>"
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length == 6 && f[5] == name && f[0].Length == 32
                    && int.TryParse(f[4], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int flags) && (flags & Unusable) == 0)
                {
                    addresses.Add(new IPAddress(Convert.FromHexString(f[0])));
                }
            }
        }
        return addresses;
    }

    /// <summary>Relays until a signal (0), or a relay failure or the connection's end (1).</summary>
    private int Serve()
    {
        _wake.Wait();
        return _failure is { } failure && !_signalled ? Fail(failure) : 0;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we exit on our own, after tearing down
        _signalled = true;
        _wake.Set();
    }

    private void OnFailure(string message)
    {
        _failure ??= message;
        _wake.Set();
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"netfront: {message}");
        return 1;
    }

    /// <summary>Stop the drivers, tell the backend Closing, remove the TAP, release every fd.</summary>
    public void Dispose()
    {
        _connection?.Dispose();
        _tap?.Dispose();
        _wake.Dispose();
    }
}
