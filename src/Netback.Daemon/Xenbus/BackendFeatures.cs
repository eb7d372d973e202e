using Netback.Daemon.Configuration;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Offload;
using Ring.Shared.Rings;

namespace Netback.Daemon.Xenbus;

/// <summary>The backend "directory" a frontend reads first (netback's xenbus.c <c>netback_probe</c>).</summary>
internal static class BackendFeatures
{
    public static ControlMessage Hello(NetbackOptions options, int mtu)
    {
        var m = new ControlMessage(ControlMessageType.Hello) { State = XenbusState.InitWait };
        m.Set(XenbusKeys.ProtocolVersion, ControlCodec.Version);
        SetTxFeatures(m, options.Offloads ? OffloadFeatures.All : OffloadFeatures.None);
        m.Set(XenbusKeys.FeatureRxCopy, true);
        m.Set(XenbusKeys.FeatureRxFlip, false);
        m.Set(XenbusKeys.FeatureSplitEventChannels, options.SplitEventChannels);
        m.Set(XenbusKeys.MultiQueueMaxQueues, options.MaxQueues);
        m.Set(XenbusKeys.MaxRingPageOrder, options.MaxRingPageOrder);
        m.Set(XenbusKeys.RingLayouts, RingLayoutNames.Offered);
        m.Set(XenbusKeys.Mtu, mtu);
        return m;
    }

    /// <summary>
    /// The guest-TX offloads the backend takes, as netback's feature keys: in Hello (what the daemon
    /// offers) and in Connected (what this vif takes, after its vifspec).
    /// </summary>
    public static void SetTxFeatures(ControlMessage m, OffloadFeatures features)
    {
        features = features.Normalize();
        m.Set(XenbusKeys.FeatureSg, features != OffloadFeatures.None);
        m.Set(XenbusKeys.FeatureGsoTcpV4, (features & OffloadFeatures.Tso4) != 0);
        m.Set(XenbusKeys.FeatureGsoTcpV6, (features & OffloadFeatures.Tso6) != 0);
        m.Set(XenbusKeys.FeatureIpv6CsumOffload, (features & OffloadFeatures.Csum) != 0);
    }
}
