using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Prometheus;

namespace Netback.Daemon.Diagnostics;

/// <summary>
/// <c>Meter("Netback")</c> served in Prometheus' text format on <c>http://ADDRESS:PORT/metrics</c>
/// by prometheus-net: its <c>MeterAdapter</c> listens to this meter's instruments only (the daemon's
/// own <see cref="NetbackMetrics"/> instance, never a test's or a library's), its <c>MetricServer</c>
/// answers on an <see cref="HttpListener"/> thread, so no ASP.NET and nothing on a worker.
/// <para>
/// A scrape records the observable instruments once (the same callbacks dotnet-counters runs: a
/// registry snapshot and 64-bit reads of each queue's counters), then writes the registry: about 45
/// series per queue, each a dictionary look-up and a set. Each tag becomes a label (<c>vif</c>,
/// <c>queue</c>, <c>reason</c>); names are the meter's and the instrument's, lower case, dots as
/// underscores (<c>netback_netback_tx_packets</c>). prometheus-net publishes observable counters as
/// gauges, as their value can go back to 0 (a vif reconnected under its name); <c>rate()</c>
/// reads them as counters all the same. A vif's series stop 5 minutes after it went
/// (<see cref="MeterAdapterOptions.MetricsExpireAfter"/>), not the moment it goes.
/// </para>
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private readonly IDisposable _adapter;
    private readonly MetricServer _server;

    public PrometheusExporter(Meter meter, IPEndPoint endpoint)
    {
        var registry = global::Prometheus.Metrics.NewCustomRegistry();
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter, meter),
            Registry = registry,
            // Left at its default, the factory would be the default registry's, and the series would go there.
            MetricFactory = global::Prometheus.Metrics.WithCustomRegistry(registry),
        });
        string host = endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any) ? "*"
            : endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
        _server = new MetricServer(host, endpoint.Port, "metrics/", registry);
        try
        {
            _server.Start();
        }
        catch
        {
            _adapter.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _server.Dispose();
        _adapter.Dispose();
    }
}
