namespace Netback.Daemon.Diagnostics;

/// <summary>One queue's counters with the tags the metrics give them.</summary>
internal readonly record struct QueueCounterSet(string Vif, int Queue, QueueCounters Counters);
