namespace Netback.Daemon.Diagnostics;

internal static class RefusalReasonNames
{
    private static readonly string[] Names = ["uid", "vif_limit", "mac", "vif_name", "bridge", "not_declared", "not_owner", "host_key", "domid", "ip", "mtu", "handshake_limit", "uid_handshake_limit"];

    public static string ToTag(this RefusalReason reason) => Names[(int)reason];
}
