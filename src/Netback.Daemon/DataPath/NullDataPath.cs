using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;

namespace Netback.Daemon.DataPath;

/// <summary>
/// <c>Netback:NullDataPath</c> (benchmarks only): the rings, validation and notifications at full cost,
/// the TAP not at all (<see cref="NullFrameIo"/>). Paired with <see cref="NullTapProvider"/>.
/// </summary>
internal sealed class NullDataPath : IDataPath, IDisposable
{
    private readonly NullFrame _frame;
    private readonly KickStormPolicy _kicks;
    private readonly ThreadModel _threads;
    private readonly WorkerPool<NullFrameIo>? _pool;

    /// <param name="rxFrameSize">0: the guest receives nothing; else the size of every generated RX frame.</param>
    /// <param name="kicks">The late-EOI throttle's bounds (default: <see cref="KickStormPolicy.Default"/>).</param>
    /// <param name="threads">The thread model (default: <c>per-queue</c>).</param>
    public NullDataPath(int rxFrameSize, KickStormPolicy? kicks = null, ThreadModel? threads = null)
    {
        _frame = new NullFrame(rxFrameSize);
        _kicks = kicks ?? KickStormPolicy.Default;
        _threads = threads ?? ThreadModel.PerQueue;
        _pool = _threads.Kind == ThreadModelKind.Pool ? new WorkerPool<NullFrameIo>(_threads.PoolSize) : null;
    }

    public bool ThreadPerDirection => _threads.Kind == ThreadModelKind.Split;

    public IVifWorkers Start(Vif vif) => VifWorkers<NullFrameIo>.Start(vif, _frame.Io, _kicks, _threads, _pool);

    public void Dispose()
    {
        _pool?.Dispose();
        _frame.Dispose();
    }
}
