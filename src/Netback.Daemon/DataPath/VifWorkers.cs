using System.Diagnostics;
using System.Globalization;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;

namespace Netback.Daemon.DataPath;

/// <summary>
/// The queues of one vif as the workers serve them, and what they share: its guest-TX credit (one
/// bucket for all queues) and its anti-spoofing filter. Started by <see cref="KernelDataPath"/> or
/// <see cref="NullDataPath"/> under the daemon's <see cref="ThreadModel"/>: a thread per queue
/// (<c>per-queue</c>), two (<c>split</c>: <c>&lt;queue&gt;-tx</c>, <c>&lt;queue&gt;-rx</c>), or each
/// queue attached to a worker of the shared pool (<c>pool:N</c>).
/// </summary>
internal sealed class VifWorkers<TIo> : IVifWorkers where TIo : struct, IFrameIo
{
    private readonly QueueService<TIo>[] _services;
    private readonly List<QueueWorker<TIo>> _dedicated = [];
    private readonly CreditScheduler _credit = new();

    private VifWorkers(Vif vif, TIo io, KickStormPolicy kicks, ThreadModel model)
    {
        var plan = vif.Plan;
        var filter = plan.AntiSpoofing ? new SpoofFilter(plan.Mac, plan.Ips) : null;
        if (vif.Rate is { } rate)
        {
            _credit.SetRate(rate, Stopwatch.GetTimestamp());
        }
        var services = new List<QueueService<TIo>>(vif.Queues.Count * 2);
        foreach (var q in vif.Queues)
        {
            if (model.Kind == ThreadModelKind.Split)
            {
                var tx = new QueueService<TIo>(q, QueueSides.Tx, _credit, filter, io, kicks);
                var rx = new QueueService<TIo>(q, QueueSides.Rx, _credit, filter, io, kicks);
                tx.Sibling = rx;
                rx.Sibling = tx;
                services.Add(tx);
                services.Add(rx);
            }
            else
            {
                services.Add(new QueueService<TIo>(q, QueueSides.Both, _credit, filter, io, kicks));
            }
        }
        _services = [.. services];
        Threads = model.ToString();
    }

    public string Threads { get; private set; }

    public static VifWorkers<TIo> Start(Vif vif, TIo io, KickStormPolicy kicks, ThreadModel model, WorkerPool<TIo>? pool)
    {
        var workers = new VifWorkers<TIo>(vif, io, kicks, model);
        long poll = vif.Plan.PollMicroseconds;
        if (pool is not null)
        {
            var attached = new List<int>(workers._services.Length);
            foreach (var s in workers._services)
            {
                int index = pool.Attach(s, poll);
                if (!attached.Contains(index))
                {
                    attached.Add(index);
                }
            }
            workers.Threads = string.Create(CultureInfo.InvariantCulture,
                $"{model} ({(attached.Count == 1 ? "worker" : "workers")} {string.Join(',', attached)})");
            return workers;
        }
        foreach (var s in workers._services)
        {
            var thread = new QueueWorker<TIo>(s.Name, 0, dedicated: true);
            thread.Post(s, poll);
            workers._dedicated.Add(thread);
        }
        foreach (var thread in workers._dedicated)
        {
            thread.Start();
        }
        return workers;
    }

    public void SignalStop()
    {
        foreach (var s in _services)
        {
            s.RequestStop();
        }
    }

    public IReadOnlyList<string> Join(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        List<string>? stuck = null;
        foreach (var s in _services)
        {
            if (!s.WaitDetached(Left(deadline)))
            {
                (stuck ??= []).Add(s.Name);
            }
        }
        if (stuck is not null)
        {
            return stuck; // their buffers stay: a stuck thread may still use them
        }
        foreach (var thread in _dedicated)
        {
            thread.Join(Left(deadline)); // let go of every queue already: ending is only a matter of time
        }
        foreach (var s in _services)
        {
            s.Dispose(); // no worker touches them any more
        }
        return [];
    }

    public void SetRate(RateLimit? rate) => _credit.SetRate(rate, Stopwatch.GetTimestamp());

    private static TimeSpan Left(long deadline) =>
        TimeSpan.FromSeconds(Math.Max(0, (deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));
}
