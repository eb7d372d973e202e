using System.Diagnostics.CodeAnalysis;
using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Offload;
using Ring.Shared.Rings;

namespace Netfront.Client;

/// <summary>
/// One queue of the vif: a TX ring, an RX ring, their data pages and event channels (netfront's
/// <c>struct netfront_queue</c>). A queue is owned by ONE thread: nothing here locks. Frames go
/// out with <see cref="TrySend"/> (or <see cref="TryBeginSend"/>/<see cref="CommitSend"/>, or for
/// up to 64 KiB with checksum/GSO metadata <see cref="TryBeginSendPages"/>/<see cref="CommitSendPages"/>)
/// and <see cref="PushTransmits"/>, come in with <see cref="ReceiveBatch{TSink}(TSink, int)"/>,
/// <see cref="ReceiveSegments{TSink}(TSink, int)"/> (zero copy, with offload metadata) or
/// <see cref="TryReceive"/>. Before sleeping on <see cref="TxCallFd"/>/<see cref="RxCallFd"/>, call
/// <see cref="FinalCheckForRxResponses"/> (and <see cref="FinalCheckForTxResponses(int)"/> when TX slots
/// are needed back) so no notification is lost. The device owns its queues: their fds and memory
/// stay valid until <see cref="NetfrontDevice.Dispose"/>.
/// </summary>
public sealed unsafe partial class NetfrontQueue
{
    private readonly FrontRing<NetifTxRequest, NetifTxResponse> _tx;
    private readonly FrontRing<NetifRxRequest, NetifRxResponse> _rx;
    private readonly QueueEventChannels _channels;
    private readonly HeldDescriptor _txKick;
    private readonly HeldDescriptor _txCall;
    private readonly HeldDescriptor _rxKick;
    private readonly HeldDescriptor _rxCall;
    private string? _brokenReason;
    private bool _disposed;

    internal NetfrontQueue(int index, byte* grantBase, GrantLayout layout, QueueEventChannels channels)
    {
        Index = index;
        _channels = channels;
        _tx = new FrontRing<NetifTxRequest, NetifTxResponse>(grantBase + (nint)layout.TxRingRef(index) * NetifLimits.PageSize, layout.Tx);
        _rx = new FrontRing<NetifRxRequest, NetifRxResponse>(grantBase + (nint)layout.RxRingRef(index) * NetifLimits.PageSize, layout.Rx);
        _txDataGref = layout.TxDataFirst(index);
        _rxDataGref = layout.RxDataFirst(index);
        _txData = grantBase + (nint)_txDataGref * NetifLimits.PageSize;
        _rxData = grantBase + (nint)_rxDataGref * NetifLimits.PageSize;

        // References held for the queue's life: the hot path uses the raw fds without add/release.
        _txKick = new HeldDescriptor(channels.TxKick.Handle);
        _txCall = new HeldDescriptor(channels.TxCall.Handle);
        _rxKick = new HeldDescriptor(channels.RxKick.Handle);
        _rxCall = new HeldDescriptor(channels.RxCall.Handle);

        InitTx();
        InitRx();
    }

    /// <summary>The queue number (0-based), as in <c>queue-N/</c>.</summary>
    public int Index { get; }

    /// <summary>
    /// The CPU this queue's driver thread is pinned to (<see cref="NetfrontOptions.Cpus"/>: the list's
    /// (index mod n)-th CPU), or null when it is not pinned.
    /// </summary>
    public int? Cpu { get; internal set; }

    /// <summary>
    /// ring.h's event-index suppression (<see cref="NetfrontOptions.EventSuppression"/>). Off: a kick
    /// after every push of requests and <c>rsp_event</c> kept at <c>rsp_cons + 1</c> (a call asked for
    /// every response), whatever the backend's event indices say.
    /// </summary>
    public bool EventSuppression { get; internal set; } = true;

    /// <summary>Counters owned by the queue's thread.</summary>
    public NetfrontQueueCounters Counters { get; } = new();

    /// <summary>TX ring slots (RING_SIZE).</summary>
    public int TxRingSize => (int)_tx.Size;

    /// <summary>RX ring slots (RING_SIZE); all of them carry a posted buffer while idle.</summary>
    public int RxRingSize => (int)_rx.Size;

    internal QueueEventChannels Channels => _channels;

    /// <summary>What the backend accepts on TX (from Connected) and what this frontend advertised for RX.</summary>
    internal void SetOffloads(OffloadFeatures tx, OffloadFeatures rx)
    {
        _txOffloads = tx;
        _rxOffloads = rx;
    }

    /// <summary>Whether TX and RX have their own event channels.</summary>
    public bool SplitEventChannels => _channels.IsSplit;

    /// <summary>
    /// The eventfd the backend signals when TX responses are ready (the same as
    /// <see cref="RxCallFd"/> in single-channel mode). Valid until the queue is disposed.
    /// </summary>
    public int TxCallFd => _txCall.Fd;

    /// <summary>The eventfd the backend signals when RX responses are ready. Valid until the queue is disposed.</summary>
    public int RxCallFd => _rxCall.Fd;

    /// <summary>True once the backend broke the ring protocol; every later operation throws.</summary>
    public bool IsBroken => _brokenReason is not null;

    /// <summary>What the backend did wrong, when <see cref="IsBroken"/>.</summary>
    public string? BrokenReason => _brokenReason;

    /// <summary>Consumes a TX call notification (drains the eventfd); false when none was pending.</summary>
    public bool DrainTxCall() => Drain(_txCall.Fd);

    /// <summary>Consumes an RX call notification (drains the eventfd); false when none was pending.</summary>
    public bool DrainRxCall() => Drain(_rxCall.Fd);

    private bool Drain(int fd)
    {
        if (EventChannel.Drain(fd) == 0)
        {
            return false;
        }
        Counters.NotificationsReceived++;
        return true;
    }

    /// <summary>
    /// Marks the queue broken (netfront's "backend is misbehaving": the device is unusable) and
    /// throws. The first reason wins.
    /// </summary>
    [DoesNotReturn]
    private void Break(string reason)
    {
        _brokenReason ??= $"queue {Index}: {reason}";
        ThrowBroken();
    }

    private void ThrowIfBroken()
    {
        if (_brokenReason is not null)
        {
            ThrowBroken();
        }
        ObjectDisposedException.ThrowIf(_disposed, this);
    }

    [DoesNotReturn]
    private void ThrowBroken() => throw new NetfrontException($"backend protocol violation on {_brokenReason}");

    /// <summary>
    /// Releases the held descriptors and closes the queue's eventfds (called by the owning device,
    /// which unmaps the ring memory afterwards).
    /// </summary>
    internal void Release()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _txKick.Release();
        _txCall.Release();
        _rxKick.Release();
        _rxCall.Release();
        _channels.Dispose();
    }
}
