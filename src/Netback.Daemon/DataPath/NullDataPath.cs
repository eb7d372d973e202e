using Netback.Daemon.Interface;

namespace Netback.Daemon.DataPath;

/// <summary>
/// <c>Netback:NullDataPath</c> (benchmarks only): the rings, validation and notifications at full cost,
/// the TAP not at all (<see cref="NullFrameIo"/>). Paired with <see cref="NullTapProvider"/>.
/// </summary>
internal sealed class NullDataPath : IDataPath, IDisposable
{
    private readonly NullFrame _frame;
    private readonly KickStormPolicy _kicks;

    /// <param name="rxFrameSize">0: the guest receives nothing; else the size of every generated RX frame.</param>
    /// <param name="kicks">The late-EOI throttle's bounds (default: <see cref="KickStormPolicy.Default"/>).</param>
    public NullDataPath(int rxFrameSize, KickStormPolicy? kicks = null)
    {
        _frame = new NullFrame(rxFrameSize);
        _kicks = kicks ?? KickStormPolicy.Default;
    }

    public IVifWorkers Start(Vif vif) => VifWorkers<NullFrameIo>.Start(vif, _frame.Io, _kicks);

    public void Dispose() => _frame.Dispose();
}
