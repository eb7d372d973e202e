namespace Netfront.Client;

/// <summary>
/// Receives frames from <see cref="NetfrontQueue.ReceiveSegments{TSink}(TSink, int)"/> as they lie in
/// the granted RX pages: no copy, whatever the number of slots. The frame and its segments are
/// valid only during the call (the pages are re-posted afterwards): write them out, e.g. with
/// <c>writev</c>, before returning.
/// </summary>
public interface IRxFrameSink
{
    /// <summary>One received frame, its segments in order, and the offload metadata of its slots.</summary>
    void OnFrame(in RxFrame frame);
}
