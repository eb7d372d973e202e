using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Ring.Shared.Control;

namespace Netback.Daemon.Admin;

/// <summary><c>list</c>: the connected vifs with their rate and counters, a page at a time.</summary>
internal static class VifCounters
{
    public static ControlMessage List(VifRegistry registry, int first)
    {
        var vifs = registry.Snapshot();
        Array.Sort(vifs, (a, b) => (a.Identity.DomId, a.Identity.Handle).CompareTo((b.Identity.DomId, b.Identity.Handle)));
        var reply = new ControlMessage(ControlMessageType.AdminReply);
        reply.Set(AdminKeys.VifCount, vifs.Length);
        reply.Set(AdminKeys.First, first);
        int count = Math.Max(0, Math.Min(AdminKeys.ListPageSize, vifs.Length - first));
        reply.Set(AdminKeys.Count, count);
        for (int i = 0; i < count; i++)
        {
            var vif = vifs[first + i];
            long txPackets = 0, txBytes = 0, rxPackets = 0, rxBytes = 0, txDrops = 0, spoofDrops = 0, rateLimited = 0;
            foreach (var q in vif.Queues)
            {
                var c = q.Counters;
                txPackets += c.TxPackets;
                txBytes += c.TxBytes;
                rxPackets += c.RxPackets;
                rxBytes += c.RxBytes;
                txDrops += c.TxDrops.Sum();
                spoofDrops += c.SpoofDrops.Sum();
                rateLimited += c.TxRateLimited;
            }
            reply.Set(AdminKeys.ForVif(i, AdminKeys.Name), vif.Name);
            reply.Set(AdminKeys.ForVif(i, AdminKeys.DomId), vif.Identity.DomId);
            reply.Set(AdminKeys.ForVif(i, AdminKeys.Handle), vif.Identity.Handle);
            reply.Set(AdminKeys.ForVif(i, AdminKeys.Queues), vif.Queues.Count);
            reply.Set(AdminKeys.ForVif(i, AdminKeys.Threads), vif.Threads);
            reply.Set(AdminKeys.ForVif(i, AdminKeys.Mac), XenMac.Format(vif.Mac));
            reply.Set(AdminKeys.ForVif(i, AdminKeys.Rate), vif.Rate?.ToString() ?? AdminKeys.RateNone);
            reply.Set(AdminKeys.ForVif(i, AdminKeys.TxPackets), txPackets);
            reply.Set(AdminKeys.ForVif(i, AdminKeys.TxBytes), txBytes);
            reply.Set(AdminKeys.ForVif(i, AdminKeys.RxPackets), rxPackets);
            reply.Set(AdminKeys.ForVif(i, AdminKeys.RxBytes), rxBytes);
            reply.Set(AdminKeys.ForVif(i, AdminKeys.TxDrops), txDrops);
            reply.Set(AdminKeys.ForVif(i, AdminKeys.SpoofDrops), spoofDrops);
            reply.Set(AdminKeys.ForVif(i, AdminKeys.RateLimited), rateLimited);
        }
        return reply;
    }
}
