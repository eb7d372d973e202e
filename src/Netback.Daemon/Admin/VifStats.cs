using System.Diagnostics;
using Netback.Daemon.Interface;
using Ring.Shared.Control;

namespace Netback.Daemon.Admin;

/// <summary>
/// <c>stats [vif=NAME] [first=N]</c>: the counters of every queue (of one vif, or of all, by vif then
/// queue), <see cref="AdminKeys.StatsPageSize"/> queues per reply from queue <c>first</c>, each under
/// <c>q-I/</c>, with the time they were read on the daemon's monotonic clock so that netbackctl's
/// per-second figures divide by the daemon's interval, not its own.
/// </summary>
internal static class VifStats
{
    public static ControlMessage Handle(ControlMessage request, VifRegistry registry)
    {
        string? name = request.Get(AdminKeys.Vif);
        int first = request.GetInt(AdminKeys.First, 0, int.MaxValue, 0);
        var vifs = registry.Snapshot();
        if (name is not null)
        {
            vifs = Array.FindAll(vifs, v => v.Name == name);
            if (vifs.Length == 0)
            {
                throw AdminText.NotConnected(name, Array.Exists(registry.Declarations(), d => d.Name == name));
            }
        }
        Array.Sort(vifs, (a, b) => (a.Identity.DomId, a.Identity.Handle).CompareTo((b.Identity.DomId, b.Identity.Handle)));
        var queues = vifs.SelectMany(v => v.Queues).ToArray();
        var reply = new ControlMessage(ControlMessageType.AdminReply)
            .Set(AdminKeys.QueueCount, queues.Length)
            .Set(AdminKeys.First, first);
        int count = Math.Max(0, Math.Min(AdminKeys.StatsPageSize, queues.Length - first));
        reply.Set(AdminKeys.Count, count);
        reply.Set(AdminKeys.SampledAtNs, (long)((Int128)Stopwatch.GetTimestamp() * 1_000_000_000 / Stopwatch.Frequency));
        for (int i = 0; i < count; i++)
        {
            var q = queues[first + i];
            int index = i;
            reply.Set(AdminKeys.ForQueue(index, AdminKeys.Vif), q.Vif.Name);
            reply.Set(AdminKeys.ForQueue(index, AdminKeys.Queue), q.Index);
            QueueStatNames.Each(q.Counters, (key, value) => reply.Set(AdminKeys.ForQueue(index, key), value));
        }
        return reply;
    }
}
