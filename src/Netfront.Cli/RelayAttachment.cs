using Ring.Shared.Offload;
using Ring.Shared.Tap;
using Netfront.Client;

namespace Netfront.Cli;

/// <summary>
/// One device's relay: a <see cref="NetfrontQueueDriver{TWork}"/> per queue (thread
/// <c>netfront-qN</c>), or two with <c>--threads split</c> (<c>netfront-qN-tx</c> reads the guest
/// TAP into the TX ring, <c>netfront-qN-rx</c> writes the RX ring's frames to it), queue i relayed
/// to TAP queue i. Disposing stops every driver, then drops
/// their references on the TAP queue fds; the TAP itself outlives reconnects.
/// </summary>
internal sealed class RelayAttachment : IDisposable
{
    private readonly NetfrontQueueDriver<RelayWork>[] _drivers;

    public RelayAttachment(NetfrontDevice device, TapDevice tap, int mtu, TimeSpan pollWindow, Action<Exception> onFailure, bool splitThreads = false)
    {
        OffloadFeatures txOffloads = device.TxOffloads;
        if (splitThreads && device.Queues.Any(q => !q.SplitEventChannels))
        {
            throw new NetfrontException("--threads split needs split event channels, and the backend granted one channel per queue");
        }
        int perQueue = splitThreads ? 2 : 1;
        _drivers = new NetfrontQueueDriver<RelayWork>[device.Queues.Count * perQueue];
        for (int q = 0; q < device.Queues.Count; q++)
        {
            // Under split threads both drivers hold a copy of the work: the TX one reads the TAP,
            // the RX one writes it; the TAP reference is one, released once.
            var work = new RelayWork(tap.Queues[q], mtu, txOffloads);
            if (splitThreads)
            {
                _drivers[2 * q] = new NetfrontQueueDriver<RelayWork>(device.Queues[q], work, onFailure: onFailure, sides: NetfrontDriverSides.Tx) { PollWindow = pollWindow };
                _drivers[2 * q + 1] = new NetfrontQueueDriver<RelayWork>(device.Queues[q], work, onFailure: onFailure, sides: NetfrontDriverSides.Rx) { PollWindow = pollWindow };
            }
            else
            {
                _drivers[q] = new NetfrontQueueDriver<RelayWork>(device.Queues[q], work, onFailure: onFailure) { PollWindow = pollWindow };
            }
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
