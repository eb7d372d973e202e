using System.Globalization;
using Microsoft.Extensions.Logging;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Ring.Shared.Control;

namespace Netback.Daemon.Admin;

/// <summary>
/// <c>vif-add domid=N [handle=M] uid=U|gid=G [spec=…]</c>: declares a vif at runtime (xl's
/// <c>network-attach</c>), checked as a configured one and against every declared and live vif, and
/// kept in the state file. Replies with the declaration as listed.
/// </summary>
internal static class VifAdd
{
    public static ControlMessage Handle(ControlMessage request, VifRegistry registry, Func<string, bool> nameTaken, ILogger logger, int pid)
    {
        int domId = request.GetInt(AdminKeys.DomId, 0, int.MaxValue);
        int devId = request.GetInt(AdminKeys.Handle, 0, int.MaxValue, 0);
        if (!VifDeclaration.TryCreate(domId, devId, Id(request, AdminKeys.Uid), Id(request, AdminKeys.Gid), request.Get(AdminKeys.Spec),
                VifDeclarationSource.Runtime, out var declaration, out string? error))
        {
            throw new ControlProtocolException(error!);
        }
        registry.Declare(declaration!, nameTaken);
        AdminLog.Declared(logger, declaration!.Name, domId, devId, declaration.Owner, declaration.Spec.Format(), pid);
        var reply = new ControlMessage(ControlMessageType.AdminReply);
        VifList.Describe(reply, "", declaration, connected: false);
        return reply;
    }

    private static uint? Id(ControlMessage request, string key) =>
        request.Get(key) is not { } text ? null
        : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id) ? id
        : throw new ControlProtocolException($"{key} '{ControlMessage.Truncate(text)}' is not a number (a {key} of 0..{uint.MaxValue})");
}
