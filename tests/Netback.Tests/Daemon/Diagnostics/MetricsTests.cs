using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Netback.Daemon.Diagnostics;
using Netback.Tests.Support;

namespace Netback.Tests.Daemon.Diagnostics;

/// <summary>The Meter("Netback") instruments report each queue's counters, tagged vif and queue.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Counters_are_published_per_vif_and_queue()
    {
        await using var backend = new InProcessBackend();
        using var metrics = new NetbackMetrics(() => backend.Registry.ConnectedCount, backend.Registry.CounterSets);
        using var device = DaemonTestKit.Healthy(backend);
        for (int i = 0; i < 3; i++)
        {
            DaemonTestKit.AssertPassesFramesBothWays(backend, device, (byte)(10 * i));
        }

        var seen = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == NetbackMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string vif = "", queue = "", reason = "";
            foreach (var t in tags)
            {
                switch (t.Key)
                {
                    case "vif": vif = t.Value?.ToString() ?? ""; break;
                    case "queue": queue = t.Value?.ToString() ?? ""; break;
                    case "reason": reason = t.Value?.ToString() ?? ""; break;
                }
            }
            seen[$"{instrument.Name}|{vif}|{queue}|{reason}"] = value;
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(1, seen["netback.vifs"]);
        Assert.Equal(3, seen["netback.tx.packets|vif1.0|0|"]);
        Assert.Equal(3, seen["netback.rx.packets|vif1.0|0|"]);
        Assert.Equal(3 * 120, seen["netback.tx.bytes|vif1.0|0|"]);
        Assert.Equal(3 * 90, seen["netback.rx.bytes|vif1.0|0|"]);
        Assert.True(seen["netback.notifications.sent|vif1.0|0|"] > 0);
        Assert.True(seen["netback.notifications.received|vif1.0|0|"] > 0);
        Assert.Equal(0, seen["netback.tx.drops|vif1.0|0|Runt"]);
        Assert.Equal(0, seen["netback.tx.drops|vif1.0|0|HeadersUnparsable"]);
        foreach (string offload in new[] { "tx.gso", "tx.csum_blank", "rx.gso", "rx.csum_blank", "rx.offload_drops" })
        {
            Assert.True(seen.ContainsKey($"netback.{offload}|vif1.0|0|"), $"netback.{offload} is not published");
        }
        Assert.Equal(0, seen["netback.tx.drops|vif1.0|0|Spoofed"]);
        Assert.Equal(0, seen["netback.tx.spoof_drops|vif1.0|0|SourceMac"]);
        Assert.Equal(0, seen["netback.tx.rate_limited|vif1.0|0|"]);
    }
}
