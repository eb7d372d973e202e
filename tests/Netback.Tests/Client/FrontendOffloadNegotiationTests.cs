using Ring.Shared.Control;
using Ring.Shared.Offload;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>docs/protocol.md "Offloads": what the frontend advertises in Connect and reads from Connected.</summary>
public sealed class FrontendOffloadNegotiationTests
{
    private static void OfferAll(ControlMessage m)
    {
        m.Set(XenbusKeys.FeatureSg, true);
        m.Set(XenbusKeys.FeatureGsoTcpV4, true);
        m.Set(XenbusKeys.FeatureGsoTcpV6, true);
        m.Set(XenbusKeys.FeatureIpv6CsumOffload, true);
    }

    [Fact]
    public void By_default_the_frontend_advertises_every_rx_offload_and_takes_the_connected_tx_features()
    {
        using var backend = new ScriptedBackend(OfferAll);
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        var c = backend.Connect!;
        Assert.Equal("1", c.Get(XenbusKeys.FeatureSg));
        Assert.Equal("1", c.Get(XenbusKeys.FeatureGsoTcpV4));
        Assert.Equal("1", c.Get(XenbusKeys.FeatureGsoTcpV6));
        Assert.Equal("1", c.Get(XenbusKeys.FeatureIpv6CsumOffload));
        Assert.Null(c.Get(XenbusKeys.FeatureNoCsumOffload));
        Assert.Null(c.Get(XenbusKeys.VifSpec));
        Assert.Equal(OffloadFeatures.All, device.RxOffloads);
        Assert.Equal(OffloadFeatures.All, device.TxOffloads);
    }

    [Fact]
    public void A_connected_without_feature_keys_is_an_old_backend_offering_nothing()
    {
        using var backend = new ScriptedBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath });
        Assert.Equal(OffloadFeatures.None, device.TxOffloads);
        Assert.Equal(OffloadFeatures.All, device.RxOffloads);
    }

    [Fact]
    public void Gso_without_sg_or_csum_is_not_taken_from_connected()
    {
        using (var backend = new ScriptedBackend(m => { OfferAll(m); m.Set(XenbusKeys.FeatureSg, false); }))
        using (var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath }))
        {
            Assert.Equal(OffloadFeatures.Csum, device.TxOffloads);
        }
        using (var backend = new ScriptedBackend(m => { OfferAll(m); m.Set(XenbusKeys.FeatureIpv6CsumOffload, false); }))
        using (var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath }))
        {
            Assert.Equal(OffloadFeatures.None, device.TxOffloads); // netdev_fix_features: no TSO without csum
        }
    }

    [Fact]
    public void Offloads_off_advertises_none_uses_none_and_says_so_in_the_vifspec()
    {
        using var backend = new ScriptedBackend(OfferAll); // even a backend that offers everything
        using var device = NetfrontDevice.Connect(new NetfrontOptions
        {
            SocketPath = backend.SocketPath,
            Offloads = false,
            VifSpec = "mac=00:16:3e:01:02:03",
        });
        var c = backend.Connect!;
        Assert.Equal("0", c.Get(XenbusKeys.FeatureSg));
        Assert.Equal("0", c.Get(XenbusKeys.FeatureGsoTcpV4));
        Assert.Equal("0", c.Get(XenbusKeys.FeatureGsoTcpV6));
        Assert.Equal("0", c.Get(XenbusKeys.FeatureIpv6CsumOffload));
        Assert.Equal("1", c.Get(XenbusKeys.FeatureNoCsumOffload));
        Assert.Equal("mac=00:16:3e:01:02:03,offloads=off", c.Get(XenbusKeys.VifSpec));
        Assert.Equal(OffloadFeatures.None, device.RxOffloads);
        Assert.Equal(OffloadFeatures.None, device.TxOffloads);
    }

    [Fact]
    public void Offloads_off_without_a_vifspec_sends_offloads_off_alone()
    {
        using var backend = new ScriptedBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, Offloads = false });
        Assert.Equal("offloads=off", backend.Connect!.Get(XenbusKeys.VifSpec));
    }

    [Fact]
    public void An_explicit_offloads_key_in_the_vifspec_is_not_repeated()
    {
        using var backend = new ScriptedBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, Offloads = false, VifSpec = "mtu=9000,offloads=off" });
        Assert.Equal("mtu=9000,offloads=off", backend.Connect!.Get(XenbusKeys.VifSpec));
    }

    [Theory]
    [InlineData(OffloadFeatures.Csum, true, "0", "0", "1", null)]
    [InlineData(OffloadFeatures.Csum | OffloadFeatures.Tso6, true, "0", "1", "1", null)]
    [InlineData(OffloadFeatures.All, false, "0", "0", "1", null)] // no sg: no GSO
    [InlineData(OffloadFeatures.Tso4, true, "0", "0", "0", "1")] // no csum: no GSO either
    public void Rx_features_follow_the_options(OffloadFeatures rx, bool sg, string v4, string v6, string csum, string? noCsum)
    {
        using var backend = new ScriptedBackend();
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, RxOffloads = rx, RxScatterGather = sg });
        var c = backend.Connect!;
        Assert.Equal(sg ? "1" : "0", c.Get(XenbusKeys.FeatureSg));
        Assert.Equal(v4, c.Get(XenbusKeys.FeatureGsoTcpV4));
        Assert.Equal(v6, c.Get(XenbusKeys.FeatureGsoTcpV6));
        Assert.Equal(csum, c.Get(XenbusKeys.FeatureIpv6CsumOffload));
        Assert.Equal(noCsum, c.Get(XenbusKeys.FeatureNoCsumOffload));
    }
}
