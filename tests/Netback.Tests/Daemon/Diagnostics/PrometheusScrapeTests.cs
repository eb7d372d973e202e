using System.Net;
using System.Net.Sockets;
using Netback.Daemon.Diagnostics;
using Netback.Tests.Support;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Diagnostics;

/// <summary>
/// The Prometheus endpoint of the in-process backend, scraped over HTTP with frames flowing: the text
/// exposition format parses, every per-queue series carries vif and queue labels, the values are the
/// frames sent, and nothing goes down between two scrapes.
/// </summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task A_scrape_has_every_queue_series_labelled_and_counting_the_traffic()
    {
        await using var backend = new InProcessBackend();
        using var metrics = new NetbackMetrics(() => backend.Registry.ConnectedCount, backend.Registry.CounterSets);
        using var other = new NetbackMetrics(() => 99, () => []); // a second meter named Netback: never exported by the first's endpoint
        var endpoint = new IPEndPoint(IPAddress.Loopback, FreePort());
        using var exporter = new PrometheusExporter(metrics.Meter, endpoint);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var device = Healthy(backend);
        for (int i = 0; i < 3; i++)
        {
            AssertPassesFramesBothWays(backend, device, (byte)(10 * i));
        }

        var first = PrometheusText.Parse(await http.GetStringAsync(new Uri($"http://{endpoint}/metrics"), TestContext.Current.CancellationToken));

        string vif = $"{{queue=\"0\",vif=\"{device.VifName}\"}}";
        Assert.Equal(1, first["netback_netback_vifs"]);
        Assert.Equal(3, first["netback_netback_tx_packets" + vif]);
        Assert.Equal(3 * 120, first["netback_netback_tx_bytes" + vif]);
        Assert.Equal(3, first["netback_netback_rx_packets" + vif]);
        Assert.Equal(3 * 90, first["netback_netback_rx_bytes" + vif]);
        Assert.True(first["netback_netback_notifications_received" + vif] > 0);
        Assert.Equal(0, first[$"netback_netback_tx_drops{{queue=\"0\",reason=\"Runt\",vif=\"{device.VifName}\"}}"]);
        Assert.Equal(0, first[$"netback_netback_tx_spoof_drops{{queue=\"0\",reason=\"SourceMac\",vif=\"{device.VifName}\"}}"]);
        // Only the Netback meter's series, and prometheus-net's own count of the instruments it listens to.
        Assert.All(first.Keys, k => Assert.True(k.StartsWith("netback_netback_", StringComparison.Ordinal)
            || k.StartsWith("prometheus_net_meteradapter_", StringComparison.Ordinal), $"unexpected series {k}"));
        // Every Netback series but the daemon-wide ones names its vif and queue.
        string[] daemonWide = ["netback_netback_vifs", "netback_netback_workers_stuck", "netback_netback_frontend_fatal_errors", "netback_netback_connections_refused"];
        foreach (string series in first.Keys.Where(k => k.StartsWith("netback_netback_", StringComparison.Ordinal)
            && !daemonWide.Any(w => k.StartsWith(w, StringComparison.Ordinal))))
        {
            Assert.Contains($"vif=\"{device.VifName}\"", series, StringComparison.Ordinal);
            Assert.Contains("queue=\"0\"", series, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(first, s => s.Value == 99); // the other meter

        AssertPassesFramesBothWays(backend, device, 77);
        AssertPassesFramesBothWays(backend, device, 88);
        var second = PrometheusText.Parse(await http.GetStringAsync(new Uri($"http://{endpoint}/metrics"), TestContext.Current.CancellationToken));

        Assert.Equal(5, second["netback_netback_tx_packets" + vif]);
        Assert.Equal(5, second["netback_netback_rx_packets" + vif]);
        foreach (var (series, value) in first)
        {
            Assert.True(second.TryGetValue(series, out double now), $"{series} is gone from the second scrape");
            Assert.True(now >= value, $"{series} went down: {value} then {now}");
        }
    }

    [Fact]
    public async Task An_address_already_in_use_is_an_error_at_start()
    {
        await using var backend = new InProcessBackend();
        using var metrics = new NetbackMetrics(() => 0, () => []);
        // Another process's socket, as far as the listener can tell (two HttpListeners of one process share a port by prefix).
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var listener = new Netback.Daemon.Hosting.PrometheusListener(
            Microsoft.Extensions.Options.Options.Create(new Netback.Daemon.Configuration.MetricsOptions { Prometheus = $"127.0.0.1:{port}" }),
            metrics, Microsoft.Extensions.Logging.Abstractions.NullLogger<Netback.Daemon.Hosting.PrometheusListener>.Instance);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => listener.StartAsync(CancellationToken.None));
        Assert.Contains($"cannot serve Prometheus metrics on 127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        listener.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
