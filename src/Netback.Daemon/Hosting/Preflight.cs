using System.Globalization;
using Ring.Shared.Tap;

namespace Netback.Daemon.Hosting;

/// <summary>Checks, before anything starts, that this process can create TAP devices at all.</summary>
internal static class Preflight
{
    private const int CAP_NET_ADMIN = 12;

    /// <summary>Null when fine, otherwise the one line to print.</summary>
    public static string? Check()
    {
        if (!File.Exists(TapDevice.TunPath))
        {
            return $"{TapDevice.TunPath} is missing: load the tun module (modprobe tun) or, in a container, pass the device through";
        }
        if (!HasCapability(CAP_NET_ADMIN))
        {
            return "netbackd needs CAP_NET_ADMIN to create TAP devices: run it as root, under the systemd unit (AmbientCapabilities=CAP_NET_ADMIN), or grant it with setcap cap_net_admin+ep";
        }
        return null;
    }

    /// <summary>Reads the effective capability set from /proc/self/status (CapEff, hex).</summary>
    public static bool HasCapability(int capability)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
            {
                ulong caps = ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                return (caps & (1UL << capability)) != 0;
            }
        }
        return false;
    }
}
