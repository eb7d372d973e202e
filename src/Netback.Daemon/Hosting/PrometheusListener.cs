using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Hosting;

/// <summary>
/// Starts and stops the Prometheus endpoint when <c>Netback:Metrics:Prometheus</c> names an address
/// (validated at start: loopback unless <c>AllowRemote</c>). An address that cannot be listened on
/// stops the start with one line, as a busy control socket does.
/// </summary>
internal sealed class PrometheusListener : IHostedService, IDisposable
{
    private readonly MetricsOptions _options;
    private readonly NetbackMetrics _metrics;
    private readonly ILogger<PrometheusListener> _logger;
    private PrometheusExporter? _exporter;

    public PrometheusListener(IOptions<MetricsOptions> options, NetbackMetrics metrics, ILogger<PrometheusListener> logger)
    {
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(_options.Prometheus))
        {
            return Task.CompletedTask; // off
        }
        if (!MetricsOptions.TryParseEndpoint(_options.Prometheus, _options.AllowRemote, out var endpoint, out string? error))
        {
            throw new InvalidOperationException(error); // the validator said so first; kept for callers without it
        }
        _exporter = Listen(endpoint!);
        MetricsLog.PrometheusListening(_logger, $"http://{_options.Prometheus}/metrics", IPAddress.IsLoopback(endpoint!.Address) ? "this host only" : "beyond this host (AllowRemote)");
        return Task.CompletedTask;
    }

    /// <summary>
    /// Apart from <see cref="StartAsync"/> so that a start with Prometheus off never loads
    /// System.Net.HttpListener: a catch clause's type is loaded with the method that has it.
    /// </summary>
    private PrometheusExporter Listen(IPEndPoint endpoint)
    {
        try
        {
            return new PrometheusExporter(_metrics.Meter, endpoint);
        }
        catch (HttpListenerException e)
        {
            throw new InvalidOperationException($"cannot serve Prometheus metrics on {_options.Prometheus}: {e.Message}", e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _exporter?.Dispose();
        _exporter = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _exporter?.Dispose();
}
