using Netback.Daemon.Configuration;
using Netback.Ring.Abi;
using Netback.Ring.Control;
using Netback.Ring.Rings;

namespace Netback.Daemon.Xenbus;

/// <summary>The backend "directory" a frontend reads first (netback's xenbus.c <c>netback_probe</c>).</summary>
internal static class BackendFeatures
{
    public static ControlMessage Hello(NetbackOptions options, int mtu)
    {
        var m = new ControlMessage(ControlMessageType.Hello) { State = XenbusState.InitWait };
        m.Set(XenbusKeys.ProtocolVersion, ControlCodec.Version);
        m.Set(XenbusKeys.FeatureSg, false);
        m.Set(XenbusKeys.FeatureGsoTcpV4, false);
        m.Set(XenbusKeys.FeatureGsoTcpV6, false);
        m.Set(XenbusKeys.FeatureIpv6CsumOffload, false);
        m.Set(XenbusKeys.FeatureRxCopy, true);
        m.Set(XenbusKeys.FeatureRxFlip, false);
        m.Set(XenbusKeys.FeatureSplitEventChannels, options.SplitEventChannels);
        m.Set(XenbusKeys.MultiQueueMaxQueues, options.MaxQueues);
        m.Set(XenbusKeys.MaxRingPageOrder, options.MaxRingPageOrder);
        m.Set(XenbusKeys.RingLayouts, $"{RingLayoutNames.Xen} {RingLayoutNames.Cacheline}");
        m.Set(XenbusKeys.Mtu, mtu);
        return m;
    }
}
