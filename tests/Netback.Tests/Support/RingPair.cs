using Ring.Shared.Abi;
using Ring.Shared.Rings;

namespace Netback.Tests.Support;

/// <summary>A TX ring's frontend and backend views over the same memory, initialised as a frontend does.</summary>
internal sealed unsafe class RingPair : IDisposable
{
    public RingPair(RingLayout layout = RingLayout.Xen, int order = 0, uint start = 0)
    {
        Geometry = RingGeometry.For(RingKind.Tx, layout, order);
        Memory = new AlignedMemory(Geometry.Bytes);
        Front = new FrontRing<NetifTxRequest, NetifTxResponse>(Memory.Pointer, Geometry);
        Back = new BackRing<NetifTxRequest, NetifTxResponse>(Memory.Pointer, Geometry);
        Front.Init(start);
        Back.Attach();
    }

    public RingGeometry Geometry { get; }

    public AlignedMemory Memory { get; }

    public FrontRing<NetifTxRequest, NetifTxResponse> Front { get; }

    public BackRing<NetifTxRequest, NetifTxResponse> Back { get; }

    public uint Size => Geometry.Size;

    // The shared header as the other side sees it.
    public uint ReqProd => Memory.ReadU32(Geometry.ReqProdOffset);
    public uint ReqEvent => Memory.ReadU32(Geometry.ReqEventOffset);
    public uint RspProd => Memory.ReadU32(Geometry.RspProdOffset);
    public uint RspEvent => Memory.ReadU32(Geometry.RspEventOffset);

    public void WriteReqProd(uint value) => Memory.WriteU32(Geometry.ReqProdOffset, value);
    public void WriteRspProd(uint value) => Memory.WriteU32(Geometry.RspProdOffset, value);
    public void WriteReqEvent(uint value) => Memory.WriteU32(Geometry.ReqEventOffset, value);
    public void WriteRspEvent(uint value) => Memory.WriteU32(Geometry.RspEventOffset, value);

    public static NetifTxRequest Request(uint seq) => new()
    {
        Gref = seq,
        Offset = (ushort)(seq % 4096),
        Flags = (ushort)NetTxFlags.CsumBlank,
        Id = (ushort)seq,
        Size = (ushort)(60 + seq % 1000),
    };

    /// <summary>Frontend: produce <paramref name="count"/> requests numbered from <paramref name="firstSeq"/>.</summary>
    public void ProduceRequests(uint firstSeq, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Front.Produce(Request(firstSeq + (uint)i));
        }
    }

    /// <summary>Backend: consume up to <paramref name="max"/> published requests, answering each at once.</summary>
    public List<NetifTxRequest> ConsumeAndRespond(int max = int.MaxValue)
    {
        var got = new List<NetifTxRequest>();
        uint n = Back.UnconsumedRequests();
        for (uint i = 0; i < n && got.Count < max; i++)
        {
            var req = Back.CopyRequest(Back.ReqCons);
            Back.ReqCons++;
            got.Add(req);
            Back.Produce(new NetifTxResponse { Id = req.Id, Status = NetifStatus.Okay });
        }
        return got;
    }

    /// <summary>Frontend: consume every published response.</summary>
    public List<NetifTxResponse> ConsumeResponses()
    {
        var got = new List<NetifTxResponse>();
        uint prod = Front.ReadResponseProducer();
        while (Front.RspCons != prod)
        {
            got.Add(Front.CopyResponse(Front.RspCons));
            Front.RspCons++;
        }
        return got;
    }

    public void Dispose() => Memory.Dispose();
}
