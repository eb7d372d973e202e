using Microsoft.Extensions.Options;

namespace Netback.Daemon.Configuration;

/// <summary>A bad <c>Netback:Metrics:Prometheus</c> stops the start with one line (exit 78), not a listener error later.</summary>
internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions o) =>
        string.IsNullOrEmpty(o.Prometheus) || MetricsOptions.TryParseEndpoint(o.Prometheus, o.AllowRemote, out _, out string? error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(error!);
}
