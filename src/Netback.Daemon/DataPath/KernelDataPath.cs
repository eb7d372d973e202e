using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;

namespace Netback.Daemon.DataPath;

/// <summary>The data path of a real daemon: every queue's frames through its TAP queue fd, on the threads <c>Netback:Threads</c> says.</summary>
internal sealed class KernelDataPath : IDataPath, IDisposable
{
    private readonly KickStormPolicy _kicks;
    private readonly ThreadModel _threads;
    private readonly WorkerPool<TapFrameIo>? _pool;

    public KernelDataPath() : this(KickStormPolicy.Default, ThreadModel.PerQueue)
    {
    }

    public KernelDataPath(KickStormPolicy kicks) : this(kicks, ThreadModel.PerQueue)
    {
    }

    public KernelDataPath(KickStormPolicy kicks, ThreadModel threads)
    {
        _kicks = kicks;
        _threads = threads;
        _pool = threads.Kind == ThreadModelKind.Pool ? new WorkerPool<TapFrameIo>(threads.PoolSize) : null;
    }

    public bool ThreadPerDirection => _threads.Kind == ThreadModelKind.Split;

    public IVifWorkers Start(Vif vif) => VifWorkers<TapFrameIo>.Start(vif, default, _kicks, _threads, _pool);

    public void Dispose() => _pool?.Dispose();
}
