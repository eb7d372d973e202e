using System.Runtime.InteropServices;
using Ring.Shared.Events;
using Ring.Shared.Rings;
using Ring.Shared.Tap;
using Netfront.Client;

namespace Netfront.Cli;

/// <summary>
/// The "guest" of <c>netfront attach</c>: a vif from netbackd on one side, a multi-queue TAP in the
/// current network namespace on the other (TAP queue i ↔ vif queue i; the kernel spreads flows over
/// the TAP queues by flow hash), and a <see cref="RelayWorker"/> thread per queue in between. Runs
/// until SIGINT/SIGTERM (exit 0). When the backend goes away (a daemon restart, say) the guest TAP
/// stays, its carrier goes off, and the relay reconnects with exponential backoff asking for the same
/// vif (domid, devid, MAC) and queue count, as a Xen guest's netfront does when its backend returns;
/// with <c>--no-reconnect</c> it exits 1 instead.
/// </summary>
internal sealed class GuestRelay : IDisposable
{
    /// <summary>First reconnect delay; doubled per failed attempt up to <see cref="MaxBackoff"/>.</summary>
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(500);

    private readonly AttachSettings _settings;
    private readonly ManualResetEventSlim _wake = new(false);
    private EventChannel _stop = EventChannel.Create();
    private NetfrontDevice? _device;
    private TapDevice? _tap;
    private int _mtu;
    private RelayWorker[] _workers = [];
    private volatile bool _signalled;
    private volatile string? _failure;

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
        var device = Connect();

        // One TAP queue per vif queue, created in this process's network namespace, with a
        // virtio_net_hdr on every frame. The guest kernel may hand over exactly what the backend
        // accepts on TX (Connected's features): partial checksums and 64 KiB TCP frames.
        _tap = TapDevice.Create(_settings.GuestName, device.Queues.Count, vnetHeader: true);
        _tap.SetOffload(device.TxOffloads);
        _mtu = _settings.Mtu ?? device.Mtu;
        string name = _settings.GuestName;
        NetDevice.SetMac(name, device.Mac);
        NetDevice.SetMtu(name, _mtu);
        if (_settings.Address is { } address)
        {
            NetDevice.SetIPv4(name, address.Address, address.PrefixLength);
        }
        NetDevice.SetUp(name, true);
        StartWorkers(device);

        // A reconnect asks for this very vif again: same name, same guest MAC.
        var frontend = _settings.Frontend;
        frontend.Queues = device.Queues.Count;
        frontend.DomId = device.DomId;
        frontend.DevId = device.DevId;
        if (!VifSpecHasKey(frontend.VifSpec, "mac"))
        {
            string mac = $"mac={FormatMac(device.Mac.GetAddressBytes())}";
            frontend.VifSpec = string.IsNullOrEmpty(frontend.VifSpec) ? mac : $"{frontend.VifSpec},{mac}";
        }

        Console.Out.WriteLine($"attached {device.VifName} mac {FormatMac(device.Mac.GetAddressBytes())} queues {device.Queues.Count} " +
            $"ring-page-order {device.RingPageOrder} layout {device.Layout.ToKey()} mtu {_mtu} " +
            $"offloads tx {device.TxOffloads} rx {device.RxOffloads}");
        Console.Out.Flush();
    }

    private NetfrontDevice Connect()
    {
        var device = NetfrontDevice.Connect(_settings.Frontend);
        _device = device;
        device.BackendClosed += (_, _) => _wake.Set();
        return device;
    }

    private void StartWorkers(NetfrontDevice device)
    {
        _workers = new RelayWorker[device.Queues.Count];
        for (int q = 0; q < _workers.Length; q++)
        {
            _workers[q] = new RelayWorker(device.Queues[q], _tap!.Queues[q], _stop, _mtu, device.TxOffloads, OnWorkerFailed);
        }
        foreach (var worker in _workers)
        {
            worker.Start();
        }
    }

    /// <summary>Relays until a signal (0), a relay failure (1) or, without reconnecting, the backend's end (1).</summary>
    private int Serve()
    {
        while (true)
        {
            _wake.Wait();
            _wake.Reset();
            if (_signalled)
            {
                StopWorkers();
                return 0;
            }
            if (_failure is { } failure)
            {
                StopWorkers();
                return Fail(failure);
            }
            if (_device is { IsBackendClosed: true } device)
            {
                string reason = device.BackendCloseReason ?? "the backend closed the connection";
                StopWorkers();
                if (!_settings.Reconnect)
                {
                    return Fail(reason);
                }
                if (!Reconnect(reason))
                {
                    return _failure is { } f ? Fail(f) : 0; // a signal while waiting: a clean exit
                }
            }
        }
    }

    /// <summary>
    /// The backend went away: carrier off on the guest TAP (the guest stack stops queueing), then
    /// connect again with exponential backoff until it works, a signal arrives, or the backend gives
    /// us something the TAP cannot carry on with (fewer queues). True once relaying again.
    /// </summary>
    private bool Reconnect(string reason)
    {
        var lost = System.Diagnostics.Stopwatch.StartNew();
        _tap!.TrySetCarrier(false);
        _device!.Dispose();
        _device = null;
        Console.Error.WriteLine($"netfront: {reason}; reconnecting");
        var delay = FirstBackoff;
        for (int attempt = 1; ; attempt++)
        {
            if (_wake.Wait(delay))
            {
                return false; // signalled
            }
            NetfrontDevice device;
            try
            {
                device = Connect();
            }
            catch (NetfrontException e)
            {
                if (attempt == 1 || attempt % 10 == 0)
                {
                    Console.Error.WriteLine($"netfront: reconnect attempt {attempt} failed: {e.Message}");
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackoff.Ticks));
                continue;
            }
            if (device.Queues.Count != _tap.Queues.Count)
            {
                _failure = $"the backend now offers {device.Queues.Count} queue(s), the guest TAP has {_tap.Queues.Count}";
                return false;
            }
            _tap.SetOffload(device.TxOffloads);
            _stop.Dispose();
            _stop = EventChannel.Create(); // the old one stays readable: it stopped the old workers for good
            StartWorkers(device);
            _tap.TrySetCarrier(true);
            Console.Out.WriteLine($"reconnected {device.VifName} after {lost.ElapsedMilliseconds} ms (attempt {attempt})");
            Console.Out.Flush();
            return true;
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we exit on our own, after tearing down
        _signalled = true;
        _wake.Set();
    }

    private void OnWorkerFailed(string message)
    {
        _failure ??= message;
        _wake.Set();
    }

    private void StopWorkers()
    {
        _stop.Notify(); // level-triggered: every worker sees it and stays woken
        foreach (var worker in _workers)
        {
            worker.Join();
        }
        _workers = [];
    }

    private static bool VifSpecHasKey(string? spec, string key) =>
        spec is not null && spec.Split(',').Any(part => part.Trim().StartsWith(key + "=", StringComparison.Ordinal));

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"netfront: {message}");
        return 1;
    }

    private static string FormatMac(byte[] mac) => string.Join(':', mac.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Stop threads, tell the backend Closing, remove the TAP, release every fd.</summary>
    public void Dispose()
    {
        StopWorkers();
        _device?.Close();
        _tap?.Dispose();
        _device?.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }
}
