namespace Netback.Daemon.Interface;

/// <summary>How a hotplug script run went: succeeded, or why not (one printable line).</summary>
internal readonly record struct HotplugResult(bool Succeeded, string? Reason)
{
    public static HotplugResult Ok => new(true, null);

    public static HotplugResult Failed(string reason) => new(false, reason);
}
