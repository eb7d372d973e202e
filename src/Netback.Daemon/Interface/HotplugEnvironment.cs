using System.Globalization;
using Netback.Daemon.Configuration;

namespace Netback.Daemon.Interface;

/// <summary>
/// What a hotplug script finds in its environment, and nothing else of the daemon's: the settings
/// Xen's scripts read from the vif's backend node (here in variables named as vif-common.sh names
/// them), <c>vif</c> and <c>script</c> as netback's uevent sets them, the <c>XENBUS_*</c> variables
/// libxl sets, and a fixed PATH.
/// </summary>
internal static class HotplugEnvironment
{
    public const string Path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static string[] For(VifPlan plan)
    {
        var id = plan.Identity;
        return
        [
            Path,
            $"vif={id.Name}",
            string.Create(CultureInfo.InvariantCulture, $"domid={id.DomId}"),
            string.Create(CultureInfo.InvariantCulture, $"devid={id.Handle}"),
            $"mac={XenMac.Format(plan.Mac)}",
            $"ip={VifSpec.FormatIps(plan.Ips)}",
            $"bridge={plan.Bridge}",
            string.Create(CultureInfo.InvariantCulture, $"mtu={plan.Mtu}"),
            $"script={plan.Script.Path}",
            "XENBUS_TYPE=vif",
            string.Create(CultureInfo.InvariantCulture, $"XENBUS_PATH=backend/vif/{id.DomId}/{id.Handle}"),
            "XENBUS_BASE_PATH=backend",
        ];
    }
}
