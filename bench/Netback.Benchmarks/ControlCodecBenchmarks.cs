using BenchmarkDotNet.Attributes;
using Ring.Shared.Control;

namespace Netback.Benchmarks;

/// <summary>
/// The control codec on a frontend's Connect message for two queues (the largest message of a
/// handshake). Control plane, not per packet: allocation is expected here, the figures keep it honest.
/// </summary>
[MemoryDiagnoser]
public class ControlCodecBenchmarks
{
    private ControlMessage _connect = null!;
    private byte[] _encoded = [];

    [GlobalSetup]
    public void Setup()
    {
        _connect = new ControlMessage(ControlMessageType.Connect)
            .Set(XenbusKeys.MultiQueueNumQueues, 2)
            .Set(XenbusKeys.RingPageOrder, 0)
            .Set(XenbusKeys.RingLayout, "xen")
            .Set(XenbusKeys.RequestRxCopy, true)
            .Set(XenbusKeys.FeatureRxNotify, true)
            .Set(XenbusKeys.FeatureSg, true)
            .Set(XenbusKeys.FeatureGsoTcpV4, true)
            .Set(XenbusKeys.FeatureGsoTcpV6, true)
            .Set(XenbusKeys.GrantPages, 2052)
            .Set(XenbusKeys.DataPageFirst, 4)
            .Set(XenbusKeys.GrantAreaFd, 0)
            .Set(XenbusKeys.VifSpec, "mac=00:16:3e:01:02:03,mtu=1500");
        for (int q = 0; q < 2; q++)
        {
            _connect.Set($"queue-{q}/{XenbusKeys.TxRingRef}", q * 2)
                .Set($"queue-{q}/{XenbusKeys.RxRingRef}", q * 2 + 1)
                .Set($"queue-{q}/{XenbusKeys.EventChannelTx}", 1 + q * 4)
                .Set($"queue-{q}/{XenbusKeys.EventChannelRx}", 3 + q * 4);
        }
        _encoded = ControlCodec.Encode(_connect, fdCount: 9);
    }

    [Benchmark]
    public byte[] Encode() => ControlCodec.Encode(_connect, fdCount: 9);

    [Benchmark]
    public ControlMessage Decode() => ControlCodec.Decode(_encoded, fdsReceived: 9);
}
