using Microsoft.Extensions.Logging;
using Netback.Daemon.Interface;
using Ring.Shared.Control;

namespace Netback.Daemon.Admin;

/// <summary>
/// <c>vif-del domid=N [handle=M] [force=1]</c>: removes a runtime declaration (xl's
/// <c>network-detach</c>). A connected vif is refused unless <c>force=1</c>, which breaks it: its
/// session tells the frontend Closing ("deleted by the operator") and tears it down; the frontend's
/// reconnects are then refused, the vif being no longer declared.
/// </summary>
internal static class VifDel
{
    public const string BreakReason = "vif deleted by the operator (netbackctl vif-del)";

    public static ControlMessage Handle(ControlMessage request, VifRegistry registry, ILogger logger, int pid)
    {
        int domId = request.GetInt(AdminKeys.DomId, 0, int.MaxValue);
        int devId = request.GetInt(AdminKeys.Handle, 0, int.MaxValue, 0);
        bool force = request.GetFlag(AdminKeys.Force);
        var declaration = registry.Undeclare(domId, devId, force, out var connected);
        connected?.Break(BreakReason, null);
        AdminLog.Undeclared(logger, declaration.Name, domId, devId, connected is not null, pid);
        return new ControlMessage(ControlMessageType.AdminReply)
            .Set(AdminKeys.Name, declaration.Name)
            .Set(AdminKeys.Disconnected, connected is not null);
    }
}
