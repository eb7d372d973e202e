using Ring.Shared.Control;
using Ring.Shared.Offload;
using Netback.Tests.Support;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// Offload negotiation (docs/protocol.md "Offloads"): the Hello offers guest-TX offloads, Connected
/// says what this vif takes, and the frontend's RX keys decide what the TAP may hand over.
/// </summary>
public sealed class BackendOffloadNegotiationTests
{
    private static readonly string[] TxKeys =
        [XenbusKeys.FeatureSg, XenbusKeys.FeatureGsoTcpV4, XenbusKeys.FeatureGsoTcpV6, XenbusKeys.FeatureIpv6CsumOffload];

    /// <summary>A frontend that takes everything on RX (Linux netfront's keys).</summary>
    internal static void AcceptAll(ControlMessage m)
    {
        foreach (string key in TxKeys)
        {
            m.Set(key, true);
        }
    }

    [Fact]
    public async Task Hello_and_Connected_offer_every_offload_by_default()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath);
        foreach (string key in TxKeys)
        {
            Assert.Equal("1", f.Hello.Get(key));
            Assert.Equal("1", f.Connected!.Get(key));
        }
    }

    [Fact]
    public async Task Offloads_off_in_the_vifspec_zeroes_Connected_but_not_Hello()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath, "offloads=off", AcceptAll);
        foreach (string key in TxKeys)
        {
            Assert.Equal("1", f.Hello.Get(key));
            Assert.Equal("0", f.Connected!.Get(key));
        }
        Assert.Equal(OffloadFeatures.None, backend.Taps.RxOffloads(f.VifName));
    }

    [Fact]
    public async Task The_daemon_option_turns_offloads_off_for_every_vif()
    {
        await using var backend = new InProcessBackend(o => o.Offloads = false);
        using var f = HostileFrontend.Connect(backend.SocketPath, "offloads=on", AcceptAll);
        foreach (string key in TxKeys)
        {
            Assert.Equal("0", f.Hello.Get(key));
            Assert.Equal("0", f.Connected!.Get(key));
        }
        Assert.Equal(OffloadFeatures.None, backend.Taps.RxOffloads(f.VifName));
    }

    [Theory]
    [InlineData("", OffloadFeatures.None)]
    [InlineData("feature-sg feature-gso-tcpv4 feature-gso-tcpv6 feature-ipv6-csum-offload", OffloadFeatures.All)]
    [InlineData("feature-ipv6-csum-offload", OffloadFeatures.Csum)]
    [InlineData("feature-gso-tcpv4 feature-ipv6-csum-offload", OffloadFeatures.Csum)]                        // no sg: no TSO
    [InlineData("feature-sg feature-gso-tcpv6 feature-ipv6-csum-offload", OffloadFeatures.Csum | OffloadFeatures.Tso6)]
    [InlineData("feature-sg feature-gso-tcpv4 feature-gso-tcpv6", OffloadFeatures.None)]                    // IPv4-only csum: no TUN_F_CSUM, so no TSO
    [InlineData("feature-sg feature-gso-tcpv4 feature-gso-tcpv6 feature-ipv6-csum-offload feature-no-csum-offload", OffloadFeatures.None)]
    public async Task The_frontends_rx_keys_set_the_taps_offloads(string keys, OffloadFeatures expected)
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Connect(backend.SocketPath, configure: m =>
        {
            foreach (string key in keys.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                m.Set(key, true);
            }
        });
        Assert.Equal(expected, backend.Taps.RxOffloads(f.VifName));
    }

    [Theory]
    [InlineData("feature-sg", "2")]
    [InlineData("feature-gso-tcpv4", "yes")]
    [InlineData("feature-no-csum-offload", "-1")]
    public async Task A_feature_key_that_is_not_0_or_1_is_refused(string key, string value)
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Open(backend.SocketPath);
        var m = HostileFrontend.StandardConnect();
        m.Set(key, value);
        f.SendConnect(m, f.StandardFds());
        var reply = f.ReceiveControl();
        Assert.Equal(ControlMessageType.Error, reply.Type);
        Assert.Contains($"'{key}'", reply.Get(XenbusKeys.Reason), StringComparison.Ordinal);
        Assert.True(backend.WaitForVifCount(0, Patience));
    }
}
