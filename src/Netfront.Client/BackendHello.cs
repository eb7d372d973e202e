using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Rings;

namespace Netfront.Client;

/// <summary>
/// The backend "directory" as read from its Hello (netfront's <c>talk_to_netback</c> reads the same
/// keys from xenstore). Absent optional keys take Xen's defaults.
/// </summary>
internal sealed record BackendHello(
    int MaxQueues,
    int MaxRingPageOrder,
    bool SplitEventChannels,
    bool OffersXenLayout,
    bool OffersCachelineLayout,
    bool OffersCachelineSlotLayout,
    int Mtu)
{
    public static BackendHello Parse(ControlMessage m)
    {
        if (m.Type == ControlMessageType.Error)
        {
            throw BackendRefused(m, "the backend refused the connection");
        }
        if (m.Type != ControlMessageType.Hello)
        {
            throw new NetfrontException($"protocol error: expected Hello from the backend, got {m.Type}");
        }
        try
        {
            if (m.State != XenbusState.InitWait)
            {
                throw new NetfrontException($"protocol error: backend Hello carries state {(int)m.State}, expected {(int)XenbusState.InitWait} (InitWait)");
            }
            int version = m.GetInt(XenbusKeys.ProtocolVersion, 0, int.MaxValue, ControlCodec.Version);
            if (version != ControlCodec.Version)
            {
                throw new NetfrontException($"the backend speaks protocol-version {version}, this frontend {ControlCodec.Version}");
            }
            // Netfront refuses a backend without copy RX (page flipping is long gone).
            if (!m.GetFlag(XenbusKeys.FeatureRxCopy))
            {
                throw new NetfrontException("the backend does not offer feature-rx-copy");
            }
            string layouts = m.Get(XenbusKeys.RingLayouts) ?? RingLayoutNames.Xen;
            bool xen = false;
            bool cacheline = false;
            bool cachelineSlot = false;
            foreach (string name in layouts.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                xen |= name == RingLayoutNames.Xen;
                cacheline |= name == RingLayoutNames.Cacheline;
                cachelineSlot |= name == RingLayoutNames.CachelineSlot;
            }
            return new BackendHello(
                MaxQueues: m.GetInt(XenbusKeys.MultiQueueMaxQueues, 1, 4096, 1),
                MaxRingPageOrder: m.GetInt(XenbusKeys.MaxRingPageOrder, 0, 64, 0),
                SplitEventChannels: m.GetFlag(XenbusKeys.FeatureSplitEventChannels),
                OffersXenLayout: xen,
                OffersCachelineLayout: cacheline,
                OffersCachelineSlotLayout: cachelineSlot,
                Mtu: m.GetInt(XenbusKeys.Mtu, 68, 65535, NetifLimits.DefaultMtu));
        }
        catch (ControlProtocolException e)
        {
            throw new NetfrontException($"protocol error in the backend's Hello: {e.Message}", e);
        }
    }

    public bool Offers(RingLayout layout) => layout switch
    {
        RingLayout.Cacheline => OffersCachelineLayout,
        RingLayout.CachelineSlot => OffersCachelineSlotLayout,
        _ => OffersXenLayout,
    };

    /// <summary>An Error (or Closing) from the backend, with its <c>reason</c>.</summary>
    public static NetfrontException BackendRefused(ControlMessage m, string what)
    {
        string? reason = m.Get(XenbusKeys.Reason);
        return new NetfrontException(reason is null ? what : $"{what}: {reason}") { BackendReason = reason };
    }
}
