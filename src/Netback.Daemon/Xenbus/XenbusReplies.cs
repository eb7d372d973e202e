using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Ring.Shared.Abi;
using Ring.Shared.Control;

namespace Netback.Daemon.Xenbus;

/// <summary>What the backend writes to a frontend after Hello (<see cref="BackendFeatures"/>): Connected, Closing, Error.</summary>
internal static class XenbusReplies
{
    /// <summary>Reasons are cut to fit a value (1024 bytes) with room for multi-byte characters.</summary>
    private const int MaxReason = 900;

    /// <summary>The backend's "directory" once the vif runs: its name, identity, MAC, MTU, guest-TX features.</summary>
    public static ControlMessage Connected(Vif vif)
    {
        var reply = new ControlMessage(ControlMessageType.Connected) { State = XenbusState.Connected };
        reply.Set(XenbusKeys.Vif, vif.Name);
        reply.Set(XenbusKeys.DomId, vif.Identity.DomId);
        reply.Set(XenbusKeys.Handle, vif.Identity.Handle);
        reply.Set(XenbusKeys.Mac, XenMac.Format(vif.Mac));
        reply.Set(XenbusKeys.BackendMac, XenMac.Format(XenMac.Backend));
        reply.Set(XenbusKeys.Mtu, vif.Mtu);
        BackendFeatures.SetTxFeatures(reply, vif.Offloads.Tx);
        return reply;
    }

    /// <summary>The backend is Closing (a broken vif, a stopping daemon), and why.</summary>
    public static ControlMessage Closing(string reason) =>
        new ControlMessage(ControlMessageType.State) { State = XenbusState.Closing }.Set(XenbusKeys.Reason, Cut(reason));

    /// <summary>A refusal: the connection closes after it.</summary>
    public static ControlMessage Error(string reason) =>
        new ControlMessage(ControlMessageType.Error) { State = XenbusState.Closing }.Set(XenbusKeys.Reason, Cut(reason));

    private static string Cut(string reason) => reason.Length > MaxReason ? reason[..MaxReason] : reason;
}
