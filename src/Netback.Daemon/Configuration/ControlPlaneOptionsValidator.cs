using Microsoft.Extensions.Options;

namespace Netback.Daemon.Configuration;

/// <summary>Checks <see cref="ControlPlaneOptions"/> at start: one line per problem, naming the key.</summary>
internal sealed class ControlPlaneOptionsValidator : IValidateOptions<ControlPlaneOptions>
{
    public ValidateOptionsResult Validate(string? name, ControlPlaneOptions o)
    {
        var errors = new List<string>();
        if (o.MaxPendingHandshakes is < 1 or > 65536)
        {
            errors.Add($"Netback:MaxPendingHandshakes must be 1..65536 (got {o.MaxPendingHandshakes})");
        }
        if (o.MaxPendingHandshakesPerUid < 1 || o.MaxPendingHandshakesPerUid > Math.Max(1, o.MaxPendingHandshakes))
        {
            errors.Add($"Netback:MaxPendingHandshakesPerUid must be 1..Netback:MaxPendingHandshakes ({o.MaxPendingHandshakes}) (got {o.MaxPendingHandshakesPerUid})");
        }
        if (o.ControlWorkerThreads is < 1 or > 16)
        {
            errors.Add($"Netback:ControlWorkerThreads must be 1..16 (got {o.ControlWorkerThreads})");
        }
        if (o.ShutdownTimeoutSeconds is < 1 or > 80)
        {
            errors.Add($"Netback:ShutdownTimeoutSeconds must be 1..80, below systemd's TimeoutStopSec (got {o.ShutdownTimeoutSeconds})");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
