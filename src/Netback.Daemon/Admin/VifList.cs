using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Ring.Shared.Control;

namespace Netback.Daemon.Admin;

/// <summary>
/// <c>vif-list [first=N]</c>: the declarations, a page at a time (xl's <c>network-list</c>): ids,
/// name, owner, MAC, rate, the spec as declared, where it comes from, and whether a frontend is connected.
/// </summary>
internal static class VifList
{
    public static ControlMessage Handle(VifRegistry registry, int first)
    {
        var declarations = registry.Declarations();
        var reply = new ControlMessage(ControlMessageType.AdminReply);
        reply.Set(AdminKeys.VifCount, declarations.Length);
        reply.Set(AdminKeys.First, first);
        int count = Math.Max(0, Math.Min(AdminKeys.DeclarationPageSize, declarations.Length - first));
        reply.Set(AdminKeys.Count, count);
        for (int i = 0; i < count; i++)
        {
            var d = declarations[first + i];
            Describe(reply, AdminKeys.ForVif(i, ""), d, registry.Connected(d.DomId, d.DevId) is not null);
        }
        return reply;
    }

    /// <summary>One declaration's keys, each under <paramref name="prefix"/> (<c>vif-N/</c>, or none).</summary>
    public static void Describe(ControlMessage reply, string prefix, VifDeclaration d, bool connected)
    {
        reply.Set(prefix + AdminKeys.DomId, d.DomId);
        reply.Set(prefix + AdminKeys.Handle, d.DevId);
        reply.Set(prefix + AdminKeys.Name, d.Name);
        reply.Set(prefix + AdminKeys.Owner, d.Owner);
        if (d.Uid is { } uid)
        {
            reply.Set(prefix + AdminKeys.Uid, uid);
        }
        if (d.Gid is { } gid)
        {
            reply.Set(prefix + AdminKeys.Gid, gid);
        }
        reply.Set(prefix + AdminKeys.Mac, XenMac.Format(d.Mac));
        reply.Set(prefix + AdminKeys.Rate, d.Spec.Rate?.ToString() ?? AdminKeys.RateNone);
        reply.Set(prefix + AdminKeys.Spec, d.Spec.Format());
        reply.Set(prefix + AdminKeys.Source, d.Source == VifDeclarationSource.Configuration ? "configuration" : "runtime");
        reply.Set(prefix + AdminKeys.Connected, connected);
    }
}
