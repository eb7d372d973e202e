using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Netfront.Client;

/// <summary>
/// One <see cref="NetfrontAsyncDevice.SendAsync"/>: the frame, and the <see cref="IValueTaskSource"/>
/// its ValueTask waits on, pooled so that a send allocates nothing. Two owners hold it, the awaiter
/// (until <see cref="GetResult"/>) and the queue (until the driver is done with it, sent or
/// skipped); it goes back to the pool when both have let go, so the driver never touches an
/// operation that a later send reuses. Continuations run on the thread pool, never on the driver's
/// thread.
/// </summary>
internal sealed class SendOperation : IValueTaskSource
{
    private const int Pending = 0;
    private const int Taken = 1;
    private const int Finished = 2;

    private readonly ConcurrentQueue<SendOperation> _pool;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private int _state;
    private int _owners;

    public SendOperation(ConcurrentQueue<SendOperation> pool) => _pool = pool;

    public ReadOnlyMemory<byte> Frame { get; private set; }

    public short Version => _core.Version;

    public static SendOperation Rent(ConcurrentQueue<SendOperation> pool) => pool.TryDequeue(out var op) ? op : new SendOperation(pool);

    public void Start(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        Frame = frame;
        _state = Pending;
        _owners = 2;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static (state, token) => ((SendOperation)state!).Finish(new OperationCanceledException(token)), this);
        }
    }

    /// <summary>The driver claims the frame (false: it was cancelled or failed meanwhile).</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Pending) == Pending;

    /// <summary>The driver placed the frame on the ring.</summary>
    public void Complete()
    {
        Volatile.Write(ref _state, Finished);
        _core.SetResult(true);
    }

    /// <summary>Ends a pending operation with <paramref name="error"/> (cancellation, disposal); false if it was taken or ended.</summary>
    public bool Finish(Exception error)
    {
        if (Interlocked.CompareExchange(ref _state, Finished, Pending) != Pending)
        {
            return false;
        }
        _core.SetException(error);
        return true;
    }

    /// <summary>The queue lets go (the driver is done with it, or it never reached the queue).</summary>
    public void ReleaseByQueue() => Release();

    public void GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            _registration.Dispose();
            _registration = default;
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Release()
    {
        if (Interlocked.Decrement(ref _owners) != 0)
        {
            return;
        }
        Frame = default;
        _core.Reset();
        _pool.Enqueue(this);
    }
}
