using System.Globalization;

namespace Netback.Daemon.Interface;

/// <summary>
/// What must hold before a vif is enslaved to its <c>bridge=</c> (Xen's vif-bridge script's job):
/// the bridge exists and is a bridge, and the vif's MTU does not lower the bridge's. A bridge takes
/// the lowest MTU of its ports, and below 1280 the kernel deletes its IPv6 addresses: one guest's
/// <c>mtu=68</c> would cut the host's bridge off IPv6. Read from sysfs, which shows the daemon's netns.
/// </summary>
internal static class BridgePort
{
    public const string SysClassNet = "/sys/class/net";

    /// <summary>Why the vif may not join <paramref name="bridge"/> with <paramref name="mtu"/>, or null.</summary>
    public static string? Refusal(string bridge, int mtu, string sysClassNet = SysClassNet)
    {
        string device = Path.Combine(sysClassNet, bridge);
        if (!Directory.Exists(device))
        {
            return $"bridge={bridge}: there is no network device {bridge}";
        }
        if (!Directory.Exists(Path.Combine(device, "bridge")))
        {
            return $"bridge={bridge}: {bridge} is not a bridge";
        }
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(device, "mtu")).Trim();
        }
        catch (IOException e)
        {
            return $"bridge={bridge}: cannot read its MTU ({e.Message})";
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int bridgeMtu))
        {
            return $"bridge={bridge}: cannot read its MTU ('{text}')";
        }
        return mtu < bridgeMtu
            ? string.Create(CultureInfo.InvariantCulture,
                $"mtu {mtu} would lower bridge {bridge}'s MTU ({bridgeMtu}): a vif on it needs mtu={bridgeMtu} or more")
            : null;
    }
}
