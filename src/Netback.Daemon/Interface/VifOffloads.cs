using Netback.Daemon.Configuration;
using Ring.Shared.Offload;

namespace Netback.Daemon.Interface;

/// <summary>
/// A vif's offload settings, fixed at Connect. <see cref="Tx"/>: what the backend takes from the
/// guest (its Connected features); <see cref="Rx"/>: what the frontend said it accepts, and so what
/// the TAP may hand over (TUNSETOFFLOAD). Both None with <c>offloads=off</c>.
/// </summary>
internal readonly record struct VifOffloads(OffloadFeatures Tx, OffloadFeatures Rx, TxCopyMode TxCopy)
{
    public static VifOffloads For(bool enabled, OffloadFeatures frontendRx, TxCopyMode txCopy) => enabled
        ? new VifOffloads(OffloadFeatures.All, frontendRx.Normalize(), txCopy)
        : new VifOffloads(OffloadFeatures.None, OffloadFeatures.None, txCopy);

    /// <summary><c>csum tso4 tso6</c>, the features of <paramref name="f"/> in netback's order, or <c>none</c>.</summary>
    public static string Describe(OffloadFeatures f)
    {
        f = f.Normalize();
        if (f == OffloadFeatures.None)
        {
            return "none";
        }
        return (f & OffloadFeatures.Tso4, f & OffloadFeatures.Tso6) switch
        {
            (0, 0) => "csum",
            (_, 0) => "csum tso4",
            (0, _) => "csum tso6",
            _ => "csum tso4 tso6",
        };
    }

    /// <summary>Does the frontend take 64 KiB frames (so RX needs 18 posted slots per frame)?</summary>
    public bool RxGso => (Rx & (OffloadFeatures.Tso4 | OffloadFeatures.Tso6)) != 0;
}
