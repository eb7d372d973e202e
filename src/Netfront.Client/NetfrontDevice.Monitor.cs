using System.ComponentModel;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Events;
using Ring.Shared.Interop;

namespace Netfront.Client;

/// <summary>
/// Watching the backend (netfront's <c>netback_changed</c> watch): a background thread blocks on the
/// control connection; when the backend says Closing, sends an Error or closes the connection, the
/// device records why, signals an eventfd (for epoll loops) and a wait handle, and raises
/// <see cref="BackendClosed"/>.
/// </summary>
public sealed partial class NetfrontDevice
{
    private readonly ManualResetEventSlim _closedEvent = new(false);
    private readonly EventChannel _closedChannel = EventChannel.Create();
    private HeldDescriptor? _closedFd;
    private string? _closeReason;

    /// <summary>
    /// Raised once, on the monitor thread, when the control connection ends. Handlers must be quick
    /// and must not throw; they typically tell the queue threads to stop.
    /// </summary>
    public event EventHandler<BackendClosedEventArgs>? BackendClosed;

    /// <summary>True once the control connection has ended (either side).</summary>
    public bool IsBackendClosed => Volatile.Read(ref _closeReason) is not null;

    /// <summary>Why the control connection ended, once <see cref="IsBackendClosed"/>.</summary>
    public string? BackendCloseReason => Volatile.Read(ref _closeReason);

    /// <summary>
    /// An eventfd that becomes readable (and stays so) when the control connection ends, to add to an
    /// epoll set next to the queue fds. Valid until <see cref="Dispose"/>.
    /// </summary>
    public int BackendClosedFd => (_closedFd ??= new HeldDescriptor(_closedChannel.Handle)).Fd;

    /// <summary>A wait handle set when the control connection ends.</summary>
    public WaitHandle BackendClosedWaitHandle => _closedEvent.WaitHandle;

    /// <summary>Waits until the control connection ends; false on timeout.</summary>
    public bool WaitForBackendClose(TimeSpan timeout) => _closedEvent.Wait(timeout);

    private void StartMonitor()
    {
        _ = BackendClosedFd; // take the reference before any thread may use the fd
        _monitor = new Thread(Monitor) { Name = "netfront-control", IsBackground = true };
        _monitor.Start();
    }

    private void Monitor()
    {
        string reason;
        try
        {
            while (true)
            {
                using var received = _channel.Receive();
                var m = received.Message;
                if (m.Type == ControlMessageType.Error)
                {
                    reason = $"backend error: {m.Get(XenbusKeys.Reason) ?? "no reason given"}";
                    break;
                }
                if (m.Type == ControlMessageType.State && m.State >= XenbusState.Closing)
                {
                    reason = m.Get(XenbusKeys.Reason) is { } r ? $"the backend is closing ({r})" : "the backend is closing";
                    break;
                }
                // Any other state change carries nothing this frontend acts on.
            }
        }
        catch (ControlChannelClosedException)
        {
            reason = "the backend closed the control connection";
        }
        catch (ControlProtocolException e)
        {
            reason = $"protocol error on the control connection: {e.Message}";
        }
        catch (Exception e) when (e is ObjectDisposedException or Win32Exception)
        {
            reason = $"the control connection failed: {e.Message}";
        }
        catch (Exception e)
        {
            // Nothing may escape this thread: an exception here would end the application's process.
            reason = $"the control connection failed: {e.GetType().Name}: {e.Message}";
        }
        SignalClosed(reason);
    }

    private void SignalClosed(string reason)
    {
        Volatile.Write(ref _closeReason, reason);
        bool requested = Volatile.Read(ref _closeRequested) != 0;
        EventChannel.Notify(BackendClosedFd);
        _closedEvent.Set();
        BackendClosed?.Invoke(this, new BackendClosedEventArgs(reason, requested));
    }
}
