using System.Diagnostics;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;

namespace Netback.Daemon.DataPath;

/// <summary>
/// The workers of one vif and what they share: its guest-TX credit (one bucket for all queues) and
/// its anti-spoofing filter. Started by <see cref="KernelDataPath"/> or <see cref="NullDataPath"/>.
/// </summary>
internal sealed class VifWorkers<TIo> : IVifWorkers where TIo : struct, IFrameIo
{
    private readonly QueueWorker<TIo>[] _workers;
    private readonly CreditScheduler _credit = new();

    private VifWorkers(Vif vif, TIo io, KickStormPolicy kicks)
    {
        var plan = vif.Plan;
        var filter = plan.AntiSpoofing ? new SpoofFilter(plan.Mac, plan.Ips) : null;
        if (vif.Rate is { } rate)
        {
            _credit.SetRate(rate, Stopwatch.GetTimestamp());
        }
        _workers = new QueueWorker<TIo>[vif.Queues.Count];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new QueueWorker<TIo>(vif.Queues[i], _credit, filter, io, kicks);
        }
    }

    public static VifWorkers<TIo> Start(Vif vif, TIo io, KickStormPolicy kicks)
    {
        var workers = new VifWorkers<TIo>(vif, io, kicks);
        foreach (var w in workers._workers)
        {
            w.Start();
        }
        return workers;
    }

    public void SignalStop()
    {
        foreach (var w in _workers)
        {
            w.SignalStop();
        }
    }

    public IReadOnlyList<string> Join(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        List<string>? stuck = null;
        foreach (var w in _workers)
        {
            var left = TimeSpan.FromSeconds(Math.Max(0, (deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));
            if (!w.Join(left))
            {
                (stuck ??= []).Add(w.Name);
            }
        }
        if (stuck is not null)
        {
            return stuck; // their buffers stay: a stuck thread may still use them
        }
        foreach (var w in _workers)
        {
            w.Dispose(); // every thread is gone: nothing uses the buffers any more
        }
        return [];
    }

    public void SetRate(RateLimit? rate) => _credit.SetRate(rate, Stopwatch.GetTimestamp());
}
