using Netback.Daemon.Interface;

namespace Netback.Daemon.DataPath;

/// <summary>The data path of a real daemon: every queue's frames through its TAP queue fd.</summary>
internal sealed class KernelDataPath(KickStormPolicy kicks) : IDataPath
{
    public KernelDataPath() : this(KickStormPolicy.Default)
    {
    }

    public IVifWorkers Start(Vif vif) => VifWorkers<TapFrameIo>.Start(vif, default, kicks);
}
