using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Offload;
using Ring.Shared.Tap;
using Netback.Daemon.Interface;

namespace Netback.Daemon.DataPath;

/// <summary>
/// <c>Netback:NullDataPath</c>: vifs without a netdev, for measuring the rings alone (with
/// <see cref="NullDataPath"/>, which never reads or writes these fds). Each "TAP queue" is an eventfd
/// the worker polls like a TAP fd: kept readable when the daemon generates guest RX frames, so the
/// worker polls for them as fast as buffers are posted, and never readable otherwise.
/// </summary>
internal sealed class NullTapProvider(bool generatesRx) : IVifTapProvider
{
    public TapDevice Create(string name, int queues, int mtu, string? bridge, OffloadFeatures rxOffloads)
    {
        var fds = new FileDescriptorHandle[queues];
        try
        {
            for (int q = 0; q < queues; q++)
            {
                var channel = EventChannel.Create();
                fds[q] = channel.Handle; // the TapDevice owns it from here
                if (generatesRx)
                {
                    channel.Notify(); // level-triggered and never drained: always "a frame waiting"
                }
            }
        }
        catch
        {
            foreach (var fd in fds)
            {
                fd?.Dispose();
            }
            throw;
        }
        return TapDevice.Adopt(name, fds, vnetHeader: true);
    }

    public bool Exists(string name) => false;

    /// <summary>No netdev, so nothing for a script to act on.</summary>
    public bool RunsHotplugScripts => false;
}
