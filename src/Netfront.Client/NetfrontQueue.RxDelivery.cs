namespace Netfront.Client;

/// <summary>
/// Where <see cref="NetfrontQueue.ReceiveFrames"/> puts each frame: the one receive loop serves
/// <see cref="NetfrontQueue.ReceiveBatch"/>, <see cref="NetfrontQueue.ReceiveSegments{TSink}(TSink, int)"/> (and its by-reference twin) and
/// <see cref="NetfrontQueue.TryReceive"/> through these structs, passed by reference to a method
/// generic over them, so the JIT compiles the loop once per delivery and calls it directly. Nothing
/// may turn them into objects: a delivery held as <see cref="IRxDelivery"/> (or a struct sink as
/// its interface) is boxed at every receive call. Measured: an adapter struct (sink and queue)
/// handed to ReceiveSegments typed as IRxFrameSink was boxed at each ReceiveBatch call, 32 bytes
/// per batch, 0.98 bytes per packet in SteadyStateAllocationTests; passed as itself, 0.
/// </summary>
public sealed partial class NetfrontQueue
{
    private interface IRxDelivery
    {
        /// <summary>Takes the frame <see cref="TakeFrame"/> just parsed; its pages are the queue's until the next receive call.</summary>
        void Deliver(NetfrontQueue queue);
    }

    /// <summary>
    /// <see cref="IFrameSink"/>: the frame in one span. Not readonly, nor its field: a struct sink's
    /// state must carry from one frame to the next within a batch, as it did on the parameter.
    /// </summary>
    private struct ContiguousDelivery<TSink>(TSink sink) : IRxDelivery where TSink : IFrameSink
    {
        private TSink _sink = sink;

        public void Deliver(NetfrontQueue queue) => _sink.OnFrame(queue.Contiguous());
    }

    /// <summary><see cref="IRxFrameSink"/>: the frame as its segments, with its offload metadata.</summary>
    private struct SegmentsDelivery<TSink>(TSink sink) : IRxDelivery where TSink : IRxFrameSink
    {
        private TSink _sink = sink;

        public void Deliver(NetfrontQueue queue) => _sink.OnFrame(queue.SegmentedFrame());
    }

    /// <summary>
    /// <see cref="IRxFrameSink"/> by reference, for <see cref="NetfrontQueueDriver{TWork}"/>: a struct
    /// work's state (what it counted or kept) is the caller's own after the call, not a copy's.
    /// </summary>
    private ref struct SegmentsRefDelivery<TSink>(ref TSink sink) : IRxDelivery where TSink : IRxFrameSink
    {
        private ref TSink _sink = ref sink;

        public void Deliver(NetfrontQueue queue) => _sink.OnFrame(queue.SegmentedFrame());
    }

    /// <summary><see cref="NetfrontQueue.TryReceive"/>: keeps the frame's span for the caller (a ref struct, as the span).</summary>
    private ref struct HeldFrame : IRxDelivery
    {
        public ReadOnlySpan<byte> Frame;

        public void Deliver(NetfrontQueue queue) => Frame = queue.Contiguous();
    }
}
