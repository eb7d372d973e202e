using System.Diagnostics;
using System.Globalization;

namespace Netfront.Client;

/// <summary>
/// A vif kept attached across backend restarts, after netfront's <c>netback_changed</c>: when the
/// backend closes, the consumer's attachment (its queue drivers) is stopped, the carrier goes off
/// (<see cref="CarrierChanged"/>), the device is released (<c>xennet_disconnect_backend</c>), and a
/// thread (<c>netfront-link</c>) connects again under the <see cref="NetfrontReconnectPolicy"/>,
/// asking for the same domid, devid, MAC and queue count (<c>talk_to_netback</c>); once it works the
/// consumer attaches to the new device and the carrier comes back. With reconnecting off, or when
/// the consumer refuses the new device (its attach throws), <see cref="Ended"/> says why.
/// </summary>
public sealed class NetfrontConnection : IDisposable
{
    private readonly NetfrontOptions _options;
    private readonly NetfrontReconnectPolicy _policy;
    private readonly Func<NetfrontDevice, IDisposable> _attach;
    private readonly ManualResetEventSlim _stop = new(false);
    private Thread? _thread;
    private NetfrontDevice? _device;
    private IDisposable? _attachment;
    private int _disposed;

    /// <summary>Raised on the link thread when the carrier goes off (backend lost) or on (reconnected and attached).</summary>
    public event EventHandler<NetfrontCarrierEventArgs>? CarrierChanged;

    /// <summary>Raised on the link thread for each reconnect attempt that failed; the next follows after the backoff.</summary>
    public event EventHandler<NetfrontCarrierEventArgs>? ReconnectFailed;

    /// <summary>Raised once on the link thread when the connection gives up (reconnecting off, or the consumer refused a new device).</summary>
    public event EventHandler<NetfrontCarrierEventArgs>? Ended;

    /// <summary>The attached device; null while the backend is away or after the end.</summary>
    public NetfrontDevice? Device => Volatile.Read(ref _device);

    /// <summary>
    /// A connection to open with <see cref="Open"/>: subscribe to its events first.
    /// <paramref name="attach"/> is called with each new device (start the queue drivers there; the
    /// returned object stops them when disposed); it may throw <see cref="NetfrontException"/>,
    /// <see cref="InvalidOperationException"/> or <see cref="ArgumentException"/> to refuse a device.
    /// </summary>
    public NetfrontConnection(NetfrontOptions options, NetfrontReconnectPolicy policy, Func<NetfrontDevice, IDisposable> attach)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(attach);
        policy.Validate();
        _options = options.Clone();
        _policy = policy;
        _attach = attach;
    }

    /// <summary>
    /// Connects (throwing <see cref="NetfrontException"/> as <see cref="NetfrontDevice.Connect"/>
    /// does), attaches the consumer, and starts watching the backend. Once only.
    /// </summary>
    public void Open()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_thread is not null)
        {
            throw new InvalidOperationException("the connection was opened already");
        }
        var device = NetfrontDevice.Connect(_options);
        try
        {
            _attachment = _attach(device);
        }
        catch
        {
            device.Dispose();
            throw;
        }
        _device = device;
        RememberIdentity(device);
        _thread = new Thread(Watch) { Name = "netfront-link", IsBackground = true };
        _thread.Start();
    }

    /// <summary>
    /// A reconnect asks for this very vif again: the same domid, devid and queue count, and the MAC
    /// the backend gave (unless the vifspec names one).
    /// </summary>
    private void RememberIdentity(NetfrontDevice device)
    {
        _options.Queues = device.Queues.Count;
        _options.DomId = device.DomId;
        _options.DevId = device.DevId;
        if (!VifSpecHasKey(_options.VifSpec, "mac"))
        {
            string mac = $"mac={FormatMac(device.Mac.GetAddressBytes())}";
            _options.VifSpec = string.IsNullOrEmpty(_options.VifSpec) ? mac : $"{_options.VifSpec},{mac}";
        }
    }

    private void Watch()
    {
        while (true)
        {
            var device = _device!;
            if (WaitHandle.WaitAny([device.BackendClosedWaitHandle, _stop.WaitHandle]) == 1)
            {
                return;
            }
            string reason = device.BackendCloseReason ?? "the backend closed the connection";
            var lost = Stopwatch.StartNew();
            Detach();
            CarrierChanged?.Invoke(this, new NetfrontCarrierEventArgs(false, reason, 0, TimeSpan.Zero));
            if (!_policy.Enabled)
            {
                Ended?.Invoke(this, new NetfrontCarrierEventArgs(false, reason, 0, lost.Elapsed));
                return;
            }
            if (!Reconnect(lost))
            {
                return;
            }
        }
    }

    /// <summary>Connects with backoff until it works (true), Dispose is called, or the consumer refuses the device (false).</summary>
    private bool Reconnect(Stopwatch lost)
    {
        var delay = _policy.FirstDelay;
        for (int attempt = 1; ; attempt++)
        {
            if (_stop.Wait(delay))
            {
                return false;
            }
            NetfrontDevice device;
            try
            {
                device = NetfrontDevice.Connect(_options);
            }
            catch (NetfrontException e)
            {
                ReconnectFailed?.Invoke(this, new NetfrontCarrierEventArgs(false, e.Message, attempt, lost.Elapsed));
                delay = _policy.Next(delay);
                continue;
            }
            try
            {
                _attachment = _attach(device);
            }
            catch (Exception e) when (e is NetfrontException or InvalidOperationException or ArgumentException)
            {
                device.Dispose();
                Ended?.Invoke(this, new NetfrontCarrierEventArgs(false, e.Message, attempt, lost.Elapsed));
                return false;
            }
            Volatile.Write(ref _device, device);
            CarrierChanged?.Invoke(this, new NetfrontCarrierEventArgs(true, $"reconnected {device.VifName}", attempt, lost.Elapsed));
            return true;
        }
    }

    /// <summary>Stops the consumer's attachment, then releases the device (the backend is gone: nothing to tell it).</summary>
    private void Detach()
    {
        _attachment?.Dispose();
        _attachment = null;
        var device = Interlocked.Exchange(ref _device, null);
        device?.Dispose();
    }

    /// <summary>
    /// Stops watching, stops the consumer's attachment, tells the backend Closing and releases the
    /// device. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stop.Set();
        if (_thread is { } thread && thread != Thread.CurrentThread)
        {
            thread.Join();
        }
        _attachment?.Dispose();
        _attachment = null;
        var device = Interlocked.Exchange(ref _device, null);
        device?.Close();
        device?.Dispose();
        _stop.Dispose();
    }

    private static bool VifSpecHasKey(string? spec, string key)
    {
        if (spec is null)
        {
            return false;
        }
        foreach (string part in spec.Split(','))
        {
            if (part.Trim().StartsWith(key + "=", StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>xx:xx:xx:xx:xx:xx, as the vifspec's <c>mac=</c> takes it.</summary>
    internal static string FormatMac(byte[] mac) =>
        string.Join(':', Array.ConvertAll(mac, b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
