namespace Netback.Tests.Client;

/// <summary>What the two drivers of one queue share under split threads: frames sent by one, echoes counted by the other.</summary>
internal sealed class SplitTally(int target)
{
    public int Target { get; } = target;

    public long Sent;

    public long Received;
}
