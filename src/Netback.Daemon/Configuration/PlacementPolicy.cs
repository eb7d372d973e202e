namespace Netback.Daemon.Configuration;

/// <summary>
/// Where a queue's worker runs relative to its frontend (<c>Netback:Placement</c>; the roadmap's
/// "affinity of FE/BE on the same NUMA node"). The frontend says where it runs in its Connect
/// (<c>frontend-cpus</c>, <c>frontend-node</c>); the worker is pinned with sched_setaffinity as it starts.
/// </summary>
public enum PlacementPolicy
{
    /// <summary>No pinning: the scheduler decides (the default).</summary>
    None,

    /// <summary>Queue i on the frontend's (i mod n)-th CPU: shared caches, no cross-CPU wake-up, but one core for both.</summary>
    SameCpu,

    /// <summary>Queue i on a CPU the frontend does not run on (or at least not its queue's CPU).</summary>
    OtherCpu,

    /// <summary>On every CPU of the frontend's NUMA node.</summary>
    SameNode,

    /// <summary>On every CPU of the other NUMA nodes (a one-node machine has none: no pinning).</summary>
    OtherNode,
}
