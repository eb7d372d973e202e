using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Ring.Shared.Abi;
using Ring.Shared.Rings;

namespace Netback.Benchmarks;

/// <summary>
/// The ring hot path over one TX ring in native memory (both views on the same page, as
/// tests/Netback.Tests/Support/RingPair does): the frontend produces a batch of 64 requests and
/// pushes with RING_PUSH_REQUESTS_AND_CHECK_NOTIFY; the backend copies each request out once,
/// writes its response and pushes; the frontend consumes the responses. Reported per batch: divide
/// by 64 for a packet.
/// </summary>
[MemoryDiagnoser]
public unsafe class RingBenchmarks
{
    private const int Batch = 64;
    private byte* _memory;
    private FrontRing<NetifTxRequest, NetifTxResponse> _front = null!;
    private BackRing<NetifTxRequest, NetifTxResponse> _back = null!;

    [Params(RingLayout.Xen, RingLayout.Cacheline)]
    public RingLayout Layout { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        RingGeometry geometry = RingGeometry.For(RingKind.Tx, Layout, 0);
        _memory = (byte*)NativeMemory.AlignedAlloc((nuint)geometry.Bytes, 4096);
        new Span<byte>(_memory, geometry.Bytes).Clear();
        _front = new FrontRing<NetifTxRequest, NetifTxResponse>(_memory, geometry);
        _back = new BackRing<NetifTxRequest, NetifTxResponse>(_memory, geometry);
        _front.Init();
        _back.Attach();
    }

    [GlobalCleanup]
    public void Cleanup() => NativeMemory.AlignedFree(_memory);

    /// <summary>Frontend side of one batch: produce 64 requests and push them.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public bool FrontProduceAndPush()
    {
        for (uint i = 0; i < Batch; i++)
        {
            _front.Produce(new NetifTxRequest { Gref = i, Id = (ushort)i, Size = 64 });
        }
        bool notify = _front.PushRequestsAndCheckNotify();
        // Keep the ring from filling: the backend's and the frontend's consumers catch up unmeasured
        // work-alike (index moves only).
        _back.ReqCons = _front.ReqProdPvt;
        _back.RspProdPvt = _front.ReqProdPvt;
        _front.RspCons = _front.ReqProdPvt;
        return notify;
    }

    /// <summary>A whole round trip per packet: produce + push, copy-request + write-response + push, consume.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int RoundTrip()
    {
        for (uint i = 0; i < Batch; i++)
        {
            _front.Produce(new NetifTxRequest { Gref = i, Id = (ushort)i, Size = 64 });
        }
        _front.PushRequestsAndCheckNotify();

        uint prod = _back.ReadRequestProducer();
        uint cons = _back.ReqCons;
        for (; cons != prod; cons++)
        {
            NetifTxRequest req = _back.CopyRequest(cons); // read the shared slot once (XSA-155)
            _back.WriteResponse(_back.RspProdPvt, new NetifTxResponse { Id = req.Id, Status = NetifStatus.Okay });
            _back.RspProdPvt++;
        }
        _back.ReqCons = cons;
        _back.PushResponsesAndCheckNotify();

        int ok = 0;
        uint rspProd = _front.ReadResponseProducer();
        for (uint c = _front.RspCons; c != rspProd; c++)
        {
            ok += _front.CopyResponse(c).Status == NetifStatus.Okay ? 1 : 0;
        }
        _front.RspCons = rspProd;
        return ok;
    }
}
