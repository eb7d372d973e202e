namespace Netfront.Client;

/// <summary>How a <see cref="NetfrontAsyncDevice"/> buffers: receive buffers per queue.</summary>
public sealed class NetfrontAsyncOptions
{
    /// <summary>
    /// Receive buffers per queue (default 512), each of the vif's largest frame (MTU + Ethernet
    /// header + a VLAN tag). Frames unread or not yet disposed hold one each; when none is free the
    /// queue stops taking frames off its RX ring until a frame is disposed, and the backend holds
    /// (and, after its drain timeout, drops) what arrives meanwhile.
    /// </summary>
    public int ReceiveBuffersPerQueue { get; set; } = 512;

    internal void Validate()
    {
        if (ReceiveBuffersPerQueue < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ReceiveBuffersPerQueue), ReceiveBuffersPerQueue, "at least one receive buffer per queue is required");
        }
    }
}
