namespace Netback.Daemon.Interface;

/// <summary>
/// A vif's hotplug script (the backend node's <c>script</c> key in Xen, which libxl runs with
/// <c>online</c> and <c>offline</c>): its name as <c>script=</c> gave it, the file it resolves to in
/// <c>Netback:ScriptDirectory</c>, and how long one run may take.
/// </summary>
internal sealed record HotplugScript(string Name, string Path, TimeSpan Timeout)
{
    /// <summary>
    /// Does the script put the vif on the Linux bridge <c>bridge=</c> names (vif-bridge)? Then the
    /// daemon checks that bridge first (<see cref="BridgePort"/>). Other scripts read <c>bridge=</c>
    /// their own way (vif-openvswitch: an Open vSwitch bridge, with VLANs) or not at all (vif-route).
    /// </summary>
    public bool JoinsLinuxBridge => Name == "vif-bridge";

    /// <summary>
    /// <paramref name="name"/> in <paramref name="directory"/>. The name was checked when its vifspec
    /// was parsed (<c>VifSpec.IsScriptName</c>); it is checked again here, where it becomes a path,
    /// so no caller can make this resolve outside the directory.
    /// </summary>
    public static HotplugScript In(string directory, string name, TimeSpan timeout)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains("..", StringComparison.Ordinal) || name[0] == '.')
        {
            throw new ArgumentException($"'{name}' is not a script name", nameof(name));
        }
        return new HotplugScript(name, System.IO.Path.Join(directory, name), timeout);
    }
}
