using System.Globalization;

namespace Netback.Daemon.DataPath;

/// <summary>
/// <c>Netback:Threads=pool:N</c>: N worker threads, <c>netback/0</c>..<c>netback/N-1</c>, that serve
/// every queue of every vif: the M:N model of netback before Linux 3.16 (xen_netbk, one kthread per
/// CPU) that the roadmap replaces with one thread per queue. As netback then did, a queue is attached
/// when its vif connects to the worker with the fewest queues and stays there for its life, however
/// busy its neighbours turn out to be: static attachment, whose unfairness is the roadmap's point.
/// </summary>
internal sealed class WorkerPool<TIo> : IDisposable where TIo : struct, IFrameIo
{
    private readonly QueueWorker<TIo>[] _workers;
    private readonly object _attach = new();

    public WorkerPool(int size)
    {
        _workers = new QueueWorker<TIo>[size];
        for (int i = 0; i < size; i++)
        {
            _workers[i] = new QueueWorker<TIo>(string.Create(CultureInfo.InvariantCulture, $"netback/{i}"), i, dedicated: false);
        }
        foreach (var w in _workers)
        {
            w.Start();
        }
    }

    public int Size => _workers.Length;

    /// <summary>Attaches a queue to the least-loaded worker (the lowest index among equals); returns that worker's index.</summary>
    public int Attach(QueueService<TIo> service, long pollMicroseconds)
    {
        lock (_attach)
        {
            var least = _workers[0];
            foreach (var w in _workers)
            {
                if (w.Load < least.Load)
                {
                    least = w;
                }
            }
            least.Post(service, pollMicroseconds);
            return least.Index;
        }
    }

    /// <summary>Ends the workers; queues still attached are let go.</summary>
    public void Dispose()
    {
        foreach (var w in _workers)
        {
            w.Close();
        }
        foreach (var w in _workers)
        {
            w.Join(TimeSpan.FromSeconds(5));
        }
    }
}
