namespace Netfront.Client;

/// <summary>
/// Receives frames from <see cref="NetfrontQueue.ReceiveBatch{TSink}(TSink, int)"/>. The span points
/// into the granted RX page (or the queue's scratch buffer for multi-slot frames) and is valid only
/// during the call: copy or write it out before returning.
/// </summary>
public interface IFrameSink
{
    /// <summary>One received Ethernet frame.</summary>
    void OnFrame(ReadOnlySpan<byte> frame);
}
