using System.Diagnostics;
using Netback.Daemon.Configuration;
using Netback.Daemon.DataPath;

namespace Netback.Daemon.Interface;

/// <summary>Applies a vif's guest-TX policy from its vifspec: anti-spoofing and <c>rate=</c>.</summary>
internal static class VifTxPolicy
{
    /// <summary>Called once the vif is built and before its workers start.</summary>
    public static void Apply(Vif vif, VifSpec spec, NetbackOptions options)
    {
        if (options.AntiSpoofing)
        {
            vif.TxFilter = new SpoofFilter(vif.Mac, spec.Ips);
        }
        if (spec.Rate is { } text)
        {
            // Validated when the vifspec was parsed.
            if (!RateLimit.TryParse(text, out var rate, out string? error))
            {
                throw new InvalidOperationException($"rate '{text}': {error}");
            }
            vif.TxCredit.SetRate(rate, Stopwatch.GetTimestamp());
        }
    }
}
