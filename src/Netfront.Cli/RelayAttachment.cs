using Ring.Shared.Offload;
using Ring.Shared.Tap;
using Netfront.Client;

namespace Netfront.Cli;

/// <summary>
/// One device's relay: a <see cref="NetfrontQueueDriver{TWork}"/> per queue (thread
/// <c>netfront-qN</c>), queue i relayed to TAP queue i. Disposing stops every driver, then drops
/// their references on the TAP queue fds; the TAP itself outlives reconnects.
/// </summary>
internal sealed class RelayAttachment : IDisposable
{
    private readonly NetfrontQueueDriver<RelayWork>[] _drivers;

    public RelayAttachment(NetfrontDevice device, TapDevice tap, int mtu, TimeSpan pollWindow, Action<Exception> onFailure)
    {
        OffloadFeatures txOffloads = device.TxOffloads;
        _drivers = new NetfrontQueueDriver<RelayWork>[device.Queues.Count];
        for (int q = 0; q < _drivers.Length; q++)
        {
            var work = new RelayWork(tap.Queues[q], mtu, txOffloads);
            _drivers[q] = new NetfrontQueueDriver<RelayWork>(device.Queues[q], work, onFailure: onFailure) { PollWindow = pollWindow };
        }
        foreach (var driver in _drivers)
        {
            driver.Start();
        }
    }

    public void Dispose()
    {
        foreach (var driver in _drivers)
        {
            driver.Stop(); // all signalled before any is waited for would be quicker, but stops are rare
        }
        foreach (var driver in _drivers)
        {
            driver.Dispose();
            driver.Work.Release();
        }
    }
}
