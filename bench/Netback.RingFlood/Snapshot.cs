namespace Netback.RingFlood;

/// <summary>Everything sampled at the start and at the end of the measured window.</summary>
internal readonly record struct Snapshot(
    long Packets,
    long Bytes,
    long NotificationsSent,
    long NotificationsReceived,
    long Wakeups,
    long RingFull,
    long TxDropped,
    long TxErrors,
    double SelfCpu,
    double DaemonCpu,
    long AllocatedBytes,
    long Timestamp)
{
    public static Snapshot operator -(Snapshot a, Snapshot b) => new(
        a.Packets - b.Packets,
        a.Bytes - b.Bytes,
        a.NotificationsSent - b.NotificationsSent,
        a.NotificationsReceived - b.NotificationsReceived,
        a.Wakeups - b.Wakeups,
        a.RingFull - b.RingFull,
        a.TxDropped - b.TxDropped,
        a.TxErrors - b.TxErrors,
        a.SelfCpu - b.SelfCpu,
        a.DaemonCpu - b.DaemonCpu,
        a.AllocatedBytes - b.AllocatedBytes,
        a.Timestamp - b.Timestamp);
}
