using Netback.Daemon.Interface;
using Ring.Shared.Interop;

namespace Netback.Daemon.DataPath;

/// <summary>
/// Pins the calling worker thread where its vif's <see cref="VifPlacement"/> says its queue goes
/// (sched_setaffinity on the thread itself, once, as it starts: nothing per packet). Every thread
/// model calls it where a thread that serves a queue starts; a thread that serves several queues
/// (a pool) is not pinned per queue. A failure (the CPUs went offline) leaves the thread unpinned
/// and is kept on the queue for <c>netbackctl show</c>.
/// </summary>
internal static class Placement
{
    public static void Apply(VifQueue queue)
    {
        if (queue.Vif.Plan.Placement.ForQueue(queue.Index) is { } cpus)
        {
            queue.PlacementErrno = Affinity.Set(0, cpus);
        }
    }
}
