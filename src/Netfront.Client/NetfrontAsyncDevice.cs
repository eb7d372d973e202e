using System.Collections.Concurrent;
using System.Threading.Channels;
using Ring.Shared.Abi;

namespace Netfront.Client;

/// <summary>
/// A paravirtual NIC for applications that are not packet engines: received frames come out of one
/// <see cref="ChannelReader{T}"/> (<see cref="Frames"/>, e.g. <c>await foreach (var f in
/// device.Frames.ReadAllAsync())</c>), each in a pooled buffer to <see cref="NetfrontFrame.Dispose"/>;
/// <see cref="SendAsync"/> completes when the frame is on the TX ring of the queue its flow hashes to
/// (<see cref="NetfrontDevice.SelectQueue(ReadOnlySpan{byte})"/>), so awaiting it is the back-pressure
/// when the ring is full. Under it, each queue runs on a <see cref="NetfrontQueueDriver{TWork}"/>
/// thread (<c>netfront-qN</c>) that copies frames between the rings and pooled memory; nothing is
/// allocated per frame on those threads, and a send whose caller awaits it in an async method
/// allocates nothing either (its ValueTask's source is pooled). Frames carry no offload metadata, so
/// the device connects with offloads off: every frame has its checksums done, both ways. The
/// zero-copy API (<see cref="NetfrontQueue"/>) is for engines. When the backend goes away,
/// <see cref="Frames"/> completes with a <see cref="NetfrontException"/> and sends fail with it.
/// </summary>
public sealed class NetfrontAsyncDevice : IAsyncDisposable, IDisposable
{
    private readonly NetfrontDevice _device;
    private readonly Channel<NetfrontFrame> _received;
    private readonly ConcurrentQueue<SendOperation> _operations = new();
    private readonly AsyncQueue[] _queues;
    private readonly NetfrontQueueDriver<AsyncQueueWork>[] _drivers;
    private Exception? _shutdown;
    private int _shutdownStarted;

    private NetfrontAsyncDevice(NetfrontDevice device, NetfrontAsyncOptions options)
    {
        _device = device;
        _received = Channel.CreateUnbounded<NetfrontFrame>(
            new UnboundedChannelOptions { SingleReader = false, SingleWriter = device.Queues.Count == 1, AllowSynchronousContinuations = false });
        int bufferSize = Math.Min(NetifLimits.MaxFrameSize(device.Mtu), NetifLimits.MaxTxSize);
        int count = device.Queues.Count;
        PreGrow(_received, count * options.ReceiveBuffersPerQueue);
        _queues = new AsyncQueue[count];
        _drivers = new NetfrontQueueDriver<AsyncQueueWork>[count];
        for (int q = 0; q < count; q++)
        {
            _queues[q] = new AsyncQueue(device.Queues[q], new FramePool(options.ReceiveBuffersPerQueue, bufferSize, q), _received.Writer);
            _drivers[q] = new NetfrontQueueDriver<AsyncQueueWork>(device.Queues[q], new AsyncQueueWork(_queues[q]),
                onFailure: e => Shutdown(new NetfrontException($"queue driver failed: {e.Message}", e)));
        }
    }

    /// <summary>
    /// Grows the channel's queue once, here, to hold every receive buffer: its segments otherwise grow
    /// (256, then 512 slots: 12 KB) on a driver thread the first time a slow reader leaves that many
    /// frames queued, an allocation on the hot path that a warm-up need not have met. A drained
    /// queue keeps its last, largest segment and reuses it.
    /// </summary>
    private static void PreGrow(Channel<NetfrontFrame> channel, int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            channel.Writer.TryWrite(default);
        }
        while (channel.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>The device underneath: its MAC, vif name, MTU, queues and counters.</summary>
    public NetfrontDevice Device => _device;

    /// <summary>
    /// Received frames from every queue, in order per queue. Dispose each one. Completes when the
    /// device is disposed, or with a <see cref="NetfrontException"/> when the backend goes away.
    /// </summary>
    public ChannelReader<NetfrontFrame> Frames => _received.Reader;

    /// <summary>Frames dropped because they were larger than a receive buffer (a backend sending beyond the MTU).</summary>
    public long ReceiveDropsTooLarge
    {
        get
        {
            long sum = 0;
            foreach (var q in _queues)
            {
                sum += Volatile.Read(ref q.RxDropsTooLarge);
            }
            return sum;
        }
    }

    /// <summary>Receive buffers free now, over all queues (all of them once every frame was disposed).</summary>
    public int ReceiveBuffersAvailable
    {
        get
        {
            int sum = 0;
            foreach (var q in _queues)
            {
                sum += q.Pool.Available;
            }
            return sum;
        }
    }

    /// <summary>
    /// Connects as <see cref="NetfrontDevice.Connect"/> does (with <see cref="NetfrontOptions.Offloads"/>
    /// off, on a copy of <paramref name="options"/>), and starts a driver thread per queue.
    /// </summary>
    public static NetfrontAsyncDevice Connect(NetfrontOptions options, NetfrontAsyncOptions? asyncOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        asyncOptions ??= new NetfrontAsyncOptions();
        asyncOptions.Validate();
        var plain = options.Clone();
        plain.Offloads = false;
        var device = NetfrontDevice.Connect(plain);
        NetfrontAsyncDevice? created = null;
        try
        {
            created = new NetfrontAsyncDevice(device, asyncOptions);
            device.BackendClosed += (_, e) =>
            {
                if (!e.Requested)
                {
                    // Not on the monitor thread: stopping joins the drivers.
                    ThreadPool.UnsafeQueueUserWorkItem(d => d.Shutdown(new NetfrontException(e.Reason)), created, preferLocal: false);
                }
            };
            foreach (var driver in created._drivers)
            {
                driver.Start();
            }
            return created;
        }
        catch
        {
            if (created is not null)
            {
                created.Dispose();
            }
            else
            {
                device.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="frame"/> (14..65535 bytes, Ethernet header first) on the queue its flow
    /// hashes to. Completes once the frame is copied onto the TX ring; while the ring is full it
    /// waits, so awaiting each send is the back-pressure. The memory must stay unchanged until then.
    /// Cancelling a send still waiting ends it with <see cref="OperationCanceledException"/> and
    /// sends nothing; after disposal or the backend's end it fails with
    /// <see cref="ObjectDisposedException"/> or <see cref="NetfrontException"/>.
    /// </summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
    {
        if (frame.Length is < NetifLimits.EthHeaderLength or > NetifLimits.MaxTxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(frame), frame.Length, $"a frame is {NetifLimits.EthHeaderLength}..{NetifLimits.MaxTxSize} bytes");
        }
        if (Volatile.Read(ref _shutdown) is { } shut)
        {
            return ValueTask.FromException(shut);
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        AsyncQueue queue = _queues[_queues.Length == 1 ? 0 : _device.SelectQueue(frame.Span)];
        SendOperation op = SendOperation.Rent(_operations);
        short version = op.Version;
        op.Start(frame, cancellationToken);
        if (!queue.Enqueue(op))
        {
            op.Finish(Volatile.Read(ref _shutdown) ?? new ObjectDisposedException(nameof(NetfrontAsyncDevice)));
            op.ReleaseByQueue();
        }
        return new ValueTask(op, version);
    }

    /// <summary>
    /// Stops the driver threads, fails waiting sends, completes <see cref="Frames"/> (frames still in
    /// it are returned to their pools), tells the backend Closing and releases every fd and mapping.
    /// Frames the reader holds stay readable until disposed. Idempotent.
    /// </summary>
    public void Dispose()
    {
        Shutdown(new ObjectDisposedException(nameof(NetfrontAsyncDevice)));
        foreach (var driver in _drivers)
        {
            driver?.Dispose();
        }
        foreach (var q in _queues)
        {
            q?.Dispose();
        }
        _device.Dispose();
    }

    /// <summary>See <see cref="Dispose"/>.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The first reason wins: no new sends, drivers stopped (joined), waiting sends failed with
    /// <paramref name="reason"/>, the frame channel completed (with it, unless it is disposal).
    /// </summary>
    private void Shutdown(Exception reason)
    {
        if (Interlocked.Exchange(ref _shutdownStarted, 1) != 0)
        {
            return;
        }
        Volatile.Write(ref _shutdown, reason);
        foreach (var driver in _drivers)
        {
            driver?.Stop();
        }
        foreach (var q in _queues)
        {
            q?.FailPending(reason);
        }
        _received.Writer.TryComplete(reason is ObjectDisposedException ? null : reason);
        if (reason is ObjectDisposedException)
        {
            // Nobody will read what is left: give it back.
            while (_received.Reader.TryRead(out var frame))
            {
                frame.Dispose();
            }
        }
    }
}
