using System.Runtime.InteropServices;
using Netback.Ring.Events;
using Netback.Ring.Rings;
using Netback.Ring.Tap;
using Netfront.Client;

namespace Netfront.Cli;

/// <summary>
/// The "guest" of <c>netfront attach</c>: a vif from netbackd on one side, a multi-queue TAP in the
/// current network namespace on the other (TAP queue i ↔ vif queue i; the kernel spreads flows over
/// the TAP queues by flow hash), and a <see cref="RelayWorker"/> thread per queue in between. Runs
/// until SIGINT/SIGTERM (exit 0) or until the backend goes away (exit 1), then tears everything down.
/// </summary>
internal sealed class GuestRelay : IDisposable
{
    private readonly AttachSettings _settings;
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly EventChannel _stop = EventChannel.Create();
    private NetfrontDevice? _device;
    private TapDevice? _tap;
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
        return relay.WaitAndStop();
    }

    private void Start()
    {
        var device = NetfrontDevice.Connect(_settings.Frontend);
        _device = device;
        device.BackendClosed += (_, _) => _wake.Set();

        // One TAP queue per vif queue, created in this process's network namespace, with a
        // virtio_net_hdr on every frame. The guest kernel may hand over exactly what the backend
        // accepts on TX (Connected's features): partial checksums and 64 KiB TCP frames.
        _tap = TapDevice.Create(_settings.GuestName, device.Queues.Count, vnetHeader: true);
        _tap.SetOffload(device.TxOffloads);
        int mtu = _settings.Mtu ?? device.Mtu;
        string name = _settings.GuestName;
        NetDevice.SetMac(name, device.Mac);
        NetDevice.SetMtu(name, mtu);
        if (_settings.Address is { } address)
        {
            NetDevice.SetIPv4(name, address.Address, address.PrefixLength);
        }
        NetDevice.SetUp(name, true);

        _workers = new RelayWorker[device.Queues.Count];
        for (int q = 0; q < _workers.Length; q++)
        {
            _workers[q] = new RelayWorker(device.Queues[q], _tap.Queues[q], _stop, mtu, device.TxOffloads, OnWorkerFailed);
        }
        foreach (var worker in _workers)
        {
            worker.Start();
        }

        Console.Out.WriteLine($"attached {device.VifName} mac {FormatMac(device.Mac.GetAddressBytes())} queues {device.Queues.Count} " +
            $"ring-page-order {device.RingPageOrder} layout {device.Layout.ToKey()} mtu {mtu} " +
            $"offloads tx {device.TxOffloads} rx {device.RxOffloads}");
        Console.Out.Flush();
    }

    private int WaitAndStop()
    {
        _wake.Wait();
        string? backendReason = _device!.IsBackendClosed && !_signalled ? _device.BackendCloseReason : null;
        StopWorkers();
        if (_failure is { } failure)
        {
            return Fail(failure);
        }
        if (backendReason is not null)
        {
            return Fail(backendReason);
        }
        return 0;
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
    }

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
