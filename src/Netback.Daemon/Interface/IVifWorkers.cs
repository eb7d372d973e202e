using Netback.Daemon.Configuration;

namespace Netback.Daemon.Interface;

/// <summary>The running workers of one vif, as the vif sees them.</summary>
internal interface IVifWorkers
{
    /// <summary>Asks every worker to stop; safe from any thread (a worker's own included), never blocks.</summary>
    void SignalStop();

    /// <summary>
    /// Waits up to <paramref name="timeout"/> in all for every worker to exit. Returns the names of
    /// the workers still running (their buffers are kept); empty when all are gone and freed.
    /// </summary>
    IReadOnlyList<string> Join(TimeSpan timeout);

    /// <summary>
    /// The thread model serving the vif, as the connected line and <c>netbackctl show</c> say it:
    /// <c>per-queue</c>, <c>split</c>, or <c>pool:N (worker W)</c> with the pool worker(s) its queues are attached to.
    /// </summary>
    string Threads => "per-queue";

    /// <summary>A live <c>rate=</c> change (netback's <c>xen_net_rate_changed</c>): null is unlimited.</summary>
    void SetRate(RateLimit? rate);
}
