using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Offload;
using Ring.Shared.Tap;

namespace Netback.Daemon.Interface;

/// <summary>
/// <c>Netback:NullDataPath</c>: vifs without a netdev, for measuring the rings alone. Each "TAP
/// queue" is an eventfd the worker polls like a TAP fd: kept readable when the daemon is to generate
/// guest RX frames (<see cref="RxFrameSize"/> &gt; 0), never readable otherwise. The queues see
/// <see cref="RxFrameSize"/> and neither read nor write the fd.
/// </summary>
internal sealed class NullTapProvider(int rxFrameSize) : IVifTapProvider
{
    /// <summary>0: no guest RX; else the size of every generated frame.</summary>
    public int RxFrameSize { get; } = rxFrameSize;

    public TapDevice Create(string name, int queues, int mtu, string? bridge, OffloadFeatures rxOffloads)
    {
        var fds = new FileDescriptorHandle[queues];
        try
        {
            for (int q = 0; q < queues; q++)
            {
                var channel = EventChannel.Create();
                fds[q] = channel.Handle; // the TapDevice owns it from here
                if (RxFrameSize > 0)
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
}
