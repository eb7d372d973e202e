using Ring.Shared.Control;

namespace Netback.Ctl;

/// <summary><c>stats</c>' figures per queue, each as a total and per second: the table's columns and the plain lines'.</summary>
internal static class StatsColumns
{
    public static readonly (string Title, string Key)[] All =
    [
        ("TX-PKTS", AdminKeys.TxPackets),
        ("TX-BYTES", AdminKeys.TxBytes),
        ("RX-PKTS", AdminKeys.RxPackets),
        ("RX-BYTES", AdminKeys.RxBytes),
        ("DROPS", QueueSample.AllDrops),
        ("SENT", AdminKeys.NotificationsSent),
        ("RECEIVED", AdminKeys.NotificationsReceived),
        ("WAKEUPS", AdminKeys.Wakeups),
        ("SPURIOUS", AdminKeys.WakeupsSpurious),
    ];

    /// <summary>The drop reasons of <paramref name="now"/> that counted anything: <c>tx-runt=3(+1.0/s)</c>, or <c>-</c>.</summary>
    public static string DropReasons(QueueSample now, QueueSample? before)
    {
        var reasons = now.Counters
            .Where(c => c.Key.StartsWith(AdminKeys.DropsPrefix, StringComparison.Ordinal) && c.Value != 0)
            .Select(c => $"{c.Key[AdminKeys.DropsPrefix.Length..]}={c.Value}"
                + (now.PerSecond(before, c.Key) is { } rate ? $"({Format.Rate(rate)}/s)" : ""))
            .ToArray();
        return reasons.Length == 0 ? "-" : string.Join(' ', reasons);
    }
}
