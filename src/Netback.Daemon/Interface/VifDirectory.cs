using Microsoft.Extensions.Logging;
using Netback.Daemon.Configuration;

namespace Netback.Daemon.Interface;

/// <summary>
/// Builds the daemon's <see cref="VifRegistry"/> at start from what the operator declared: the
/// configuration (<c>Netback:Vifs</c>), then the state file of runtime declarations. A state
/// declaration that clashes with the configuration is dropped with a Warning (the configuration is
/// the operator's later word); a state file that cannot be trusted stops the daemon (<see cref="VifStateException"/>).
/// </summary>
internal static class VifDirectory
{
    public static VifRegistry Open(NetbackOptions options, ILogger logger)
    {
        var declared = new List<VifDeclaration>();
        foreach (var o in options.Vifs)
        {
            // Validated at start (NetbackOptionsValidator): a failure here is a bug.
            declared.Add(VifDeclaration.TryCreate(o.DomId, o.DevId, o.Uid, o.Gid, o.Spec, VifDeclarationSource.Configuration,
                out var d, out string? error) ? d! : throw new InvalidOperationException($"Netback:Vifs: {error}"));
        }
        int configured = declared.Count;
        VifStateFile? state = string.IsNullOrEmpty(options.StateDirectory) ? null : new VifStateFile(options.StateDirectory);
        int runtime = 0;
        foreach (var d in state?.Load() ?? [])
        {
            if (VifDeclarationsValidator.Conflict(declared, d) is { } conflict)
            {
                DeclarationLog.RuntimeDropped(logger, state!.Path, d.DomId, d.DevId, d.Owner, conflict);
                continue;
            }
            declared.Add(d);
            runtime++;
        }
        DeclarationLog.Loaded(logger, configured, runtime, state?.Path ?? "no state file (Netback:StateDirectory is empty)");
        return new VifRegistry(options.MaxVifs, declared, state);
    }
}
