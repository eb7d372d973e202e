using Microsoft.Extensions.Logging;

namespace Netback.Daemon.Interface;

/// <summary>
/// A vif's hotplug script runs (Xen: udev's or libxl's <c>online</c> and <c>offline</c> of the vif
/// netdev): <see cref="Online"/> once its TAP exists, before the frontend is told Connected;
/// <see cref="Offline"/> when it is torn down, before the TAP goes, whenever <c>online</c> was tried
/// (a failed <c>online</c> may have done half its work, which <c>offline</c> undoes, as libxl runs
/// <c>offline</c> for a device whose <c>online</c> failed). Control workers only.
/// </summary>
internal sealed class VifHotplug(HotplugScript script, IReadOnlyList<string> environment, string vif, ILogger logger)
{
    private bool _online;

    public HotplugScript Script => script;

    /// <summary>Runs <c>online</c>; throws <see cref="VifSetupException"/> with the script's reason when it fails.</summary>
    public void Online()
    {
        _online = true;
        var result = HotplugRunner.Run(script, "online", environment, vif, logger);
        if (!result.Succeeded)
        {
            throw new VifSetupException($"hotplug script {script.Name} online failed: {result.Reason}");
        }
    }

    /// <summary>Runs <c>offline</c> once if <c>online</c> ran; a failure is logged, the vif goes anyway.</summary>
    public void Offline()
    {
        if (!_online)
        {
            return;
        }
        _online = false;
        var result = HotplugRunner.Run(script, "offline", environment, vif, logger);
        if (!result.Succeeded)
        {
            HotplugLog.OfflineFailed(logger, vif, script.Name, result.Reason!);
        }
    }
}
