using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Ring.Shared.Control;

namespace Netback.Daemon.Admin;

/// <summary>
/// What the admin channel can do, apart from the socket: <c>list</c> the live vifs with their
/// counters, <c>set</c> a vif's <c>rate=</c> (xen's rate watch: <c>xen_net_rate_changed</c>).
/// </summary>
internal static class AdminCommands
{
    /// <summary>Answers one request; a <see cref="ControlProtocolException"/> becomes the Error reply.</summary>
    public static ControlMessage Handle(ControlMessage request, VifRegistry registry, Action<string, string>? onRateChanged = null)
    {
        if (request.Type != ControlMessageType.AdminRequest)
        {
            throw new ControlProtocolException($"expected AdminRequest, got {request.Type}");
        }
        return request.Get(AdminKeys.Command) switch
        {
            AdminKeys.CommandList => List(registry, request.GetInt(AdminKeys.First, 0, int.MaxValue, 0)),
            AdminKeys.CommandSet => Set(request, registry, onRateChanged),
            var other => throw new ControlProtocolException($"unknown command '{other ?? ""}' (known: list, set)"),
        };
    }

    private static ControlMessage List(VifRegistry registry, int first)
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

    private static ControlMessage Set(ControlMessage request, VifRegistry registry, Action<string, string>? onRateChanged)
    {
        string name = request.Get(AdminKeys.Vif) ?? throw new ControlProtocolException("set needs vif=");
        string text = request.Get(AdminKeys.Rate) ?? throw new ControlProtocolException("set needs rate= (e.g. 10Mb/s@50ms, or none)");
        RateLimit? rate = null;
        if (text != AdminKeys.RateNone && !RateLimit.TryParse(text, out rate, out string? error))
        {
            throw new ControlProtocolException($"rate '{ControlMessage.Truncate(text)}': {error}");
        }
        var vif = Array.Find(registry.Snapshot(), v => v.Name == name)
            ?? throw new ControlProtocolException($"no vif named '{ControlMessage.Truncate(name)}'");
        vif.SetRate(rate);
        string effective = rate?.ToString() ?? AdminKeys.RateNone;
        onRateChanged?.Invoke(vif.Name, effective);
        return new ControlMessage(ControlMessageType.AdminReply).Set(AdminKeys.Vif, vif.Name).Set(AdminKeys.Rate, effective);
    }
}
