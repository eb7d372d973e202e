using System.Net;
using System.Net.NetworkInformation;
using Netback.Daemon.DataPath;
using Netback.Daemon.Diagnostics;
using static Netback.Tests.Daemon.TestFrames;

namespace Netback.Tests.Daemon.DataPath;

public sealed class SpoofFilterTests
{
    private static SpoofFilter Filter(params string[] ips) =>
        new(new PhysicalAddress(VifMac), ips.Select(s => s.Contains('/') ? IPNetwork.Parse(s) : new IPNetwork(IPAddress.Parse(s), s.Contains(':') ? 128 : 32)).ToList());

    private static readonly SpoofFilter MacOnly = Filter();
    private static readonly SpoofFilter WithIps = Filter("10.0.0.2", "10.1.0.0/29", "fd00::2", "2001:db8:1::/64");

    [Fact]
    public void Source_mac_must_be_the_vifs()
    {
        Assert.Equal(SpoofDropReason.None, MacOnly.Check(Ipv4("192.0.2.99")));
        Assert.Equal(SpoofDropReason.SourceMac, MacOnly.Check(Ipv4("192.0.2.99", mac: OtherMac)));
        Assert.Equal(SpoofDropReason.SourceMac, WithIps.Check(Ipv4("10.0.0.2", mac: OtherMac)));
        // Without ip= there is no IP check at all, as a Xen vif without ip= lets everything through.
        Assert.False(MacOnly.ChecksAddresses);
        Assert.Equal(SpoofDropReason.None, MacOnly.Check(Ethernet(VifMac, 0x88cc, new byte[40]))); // LLDP
    }

    [Theory]
    [InlineData("10.0.0.2", nameof(SpoofDropReason.None))]
    [InlineData("10.1.0.7", nameof(SpoofDropReason.None))]        // inside 10.1.0.0/29
    [InlineData("10.1.0.8", nameof(SpoofDropReason.Ipv4Source))]  // just outside
    [InlineData("10.0.0.3", nameof(SpoofDropReason.Ipv4Source))]
    [InlineData("0.0.0.0", nameof(SpoofDropReason.Ipv4Source))]
    public void Ipv4_source_must_be_listed(string source, string expected) =>
        Assert.Equal(Enum.Parse<SpoofDropReason>(expected), WithIps.Check(Ipv4(source)));

    [Fact]
    public void Dhcp_client_packets_pass_from_any_source_as_xens_rule()
    {
        Assert.Equal(SpoofDropReason.None, WithIps.Check(Ipv4("0.0.0.0", protocol: 17, sourcePort: 68, destPort: 67)));
        Assert.Equal(SpoofDropReason.Ipv4Source, WithIps.Check(Ipv4("0.0.0.0", protocol: 17, sourcePort: 68, destPort: 53)));
        Assert.Equal(SpoofDropReason.Ipv4Source, WithIps.Check(Ipv4("0.0.0.0", protocol: 6, sourcePort: 68, destPort: 67)));
        // A later fragment carries no ports: its bytes at the port offsets prove nothing.
        Assert.Equal(SpoofDropReason.Ipv4Source, WithIps.Check(Ipv4("0.0.0.0", protocol: 17, sourcePort: 68, destPort: 67, fragment: 0x0010)));
    }

    [Fact]
    public void Arp_sender_must_be_the_vif()
    {
        Assert.Equal(SpoofDropReason.None, WithIps.Check(Arp(VifMac, "10.0.0.2")));
        Assert.Equal(SpoofDropReason.None, WithIps.Check(Arp(VifMac, "0.0.0.0")));   // RFC 5227 probe
        Assert.Equal(SpoofDropReason.ArpSenderIp, WithIps.Check(Arp(VifMac, "10.0.0.1", op: 2)));
        Assert.Equal(SpoofDropReason.ArpSenderMac, WithIps.Check(Arp(OtherMac, "10.0.0.2")));
        Assert.Equal(SpoofDropReason.ArpSenderMac, MacOnly.Check(Arp(OtherMac, "10.0.0.2"))); // even without ip=
        Assert.Equal(SpoofDropReason.None, MacOnly.Check(Arp(VifMac, "192.0.2.1")));
        var notEthernet = Arp(VifMac, "10.0.0.2");
        notEthernet[14 + 4] = 8; // hlen 8
        Assert.Equal(SpoofDropReason.Malformed, WithIps.Check(notEthernet));
    }

    [Theory]
    [InlineData("fd00::2", nameof(SpoofDropReason.None))]
    [InlineData("2001:db8:1::1234", nameof(SpoofDropReason.None))]
    [InlineData("fe80::216:3eff:fe01:203", nameof(SpoofDropReason.None))]   // EUI-64 of the vif MAC
    [InlineData("fe80::1", nameof(SpoofDropReason.Ipv6Source))]
    [InlineData("fd00::3", nameof(SpoofDropReason.Ipv6Source))]
    [InlineData("2001:db8:2::1", nameof(SpoofDropReason.Ipv6Source))]
    public void Ipv6_source_must_be_listed_or_the_derived_link_local(string source, string expected) =>
        Assert.Equal(Enum.Parse<SpoofDropReason>(expected), WithIps.Check(Ipv6(source, 6, new byte[20])));

    [Fact]
    public void Unspecified_source_only_for_dad_time_messages()
    {
        Assert.Equal(SpoofDropReason.None, WithIps.Check(Ipv6("::", 58, Ndp(135, "fd00::2"))));           // DAD for our address
        Assert.Equal(SpoofDropReason.NdpTarget, WithIps.Check(Ipv6("::", 58, Ndp(135, "fd00::9"))));      // DAD claiming another's
        Assert.Equal(SpoofDropReason.None, WithIps.Check(Ipv6("::", 58, Icmpv6(143))));                   // MLDv2 report
        Assert.Equal(SpoofDropReason.None, WithIps.Check(Ipv6("::", 58, Icmpv6(133))));                   // RS
        Assert.Equal(SpoofDropReason.Ipv6Source, WithIps.Check(Ipv6("::", 58, Icmpv6(128))));             // echo request
        Assert.Equal(SpoofDropReason.Ipv6Source, WithIps.Check(Ipv6("::", 17, new byte[8])));             // UDP
    }

    [Fact]
    public void Ndp_targets_and_link_layer_options_are_checked()
    {
        string ll = VifLinkLocal.ToString();
        // A normal NS asks about someone else's address: fine, but its SLLA must be ours.
        Assert.Equal(SpoofDropReason.None, WithIps.Check(Ipv6(ll, 58, Ndp(135, "fd00::1", 1))));
        Assert.Equal(SpoofDropReason.NdpLinkLayer, WithIps.Check(Ipv6(ll, 58, Ndp(135, "fd00::1", 1, OtherMac))));
        // An NA claims its target: only our addresses, and TLLA must be ours.
        Assert.Equal(SpoofDropReason.None, WithIps.Check(Ipv6("fd00::2", 58, Ndp(136, "fd00::2", 2))));
        Assert.Equal(SpoofDropReason.NdpTarget, WithIps.Check(Ipv6("fd00::2", 58, Ndp(136, "fd00::1", 2))));
        Assert.Equal(SpoofDropReason.NdpLinkLayer, WithIps.Check(Ipv6("fd00::2", 58, Ndp(136, "fd00::2", 2, OtherMac))));
        Assert.Equal(SpoofDropReason.NdpLinkLayer, WithIps.Check(Ipv6(ll, 58, Icmpv6(133, OtherMac))));
        Assert.Equal(SpoofDropReason.None, WithIps.Check(Ipv6(ll, 58, Icmpv6(133, VifMac))));
        // RA guard and no redirects from a host.
        Assert.Equal(SpoofDropReason.NdpRouterMessage, WithIps.Check(Ipv6(ll, 58, Icmpv6(134))));
        Assert.Equal(SpoofDropReason.NdpRouterMessage, WithIps.Check(Ipv6(ll, 58, Icmpv6(137))));
        // Behind a hop-by-hop header the NA is still found.
        var hopByHop = new byte[8];
        Assert.Equal(SpoofDropReason.NdpTarget, WithIps.Check(Ipv6("fd00::2", 58, Ndp(136, "fd00::1"), hopByHop)));
        // A zero-length option is invalid.
        var zero = Ndp(136, "fd00::2", 2);
        zero[25] = 0;
        Assert.Equal(SpoofDropReason.Malformed, WithIps.Check(Ipv6("fd00::2", 58, zero)));
    }

    [Fact]
    public void One_vlan_tag_is_looked_through_two_are_dropped()
    {
        var ip = Ipv4("10.0.0.3")[14..];
        Assert.Equal(SpoofDropReason.Ipv4Source, WithIps.Check(Ethernet(VifMac, 0x0800, ip, 0x8100)));
        Assert.Equal(SpoofDropReason.None, WithIps.Check(Ethernet(VifMac, 0x0800, Ipv4("10.0.0.2")[14..], 0x8100)));
        Assert.Equal(SpoofDropReason.StackedVlan, WithIps.Check(Ethernet(VifMac, 0x0800, ip, 0x88a8, 0x8100)));
        Assert.Equal(SpoofDropReason.StackedVlan, MacOnly.Check(Ethernet(VifMac, 0x0800, ip, 0x8100, 0x8100)));
        Assert.Equal(SpoofDropReason.ArpSenderMac, MacOnly.Check(Ethernet(VifMac, 0x0806, Arp(OtherMac, "10.0.0.2")[14..], 0x8100)));
    }

    [Fact]
    public void Truncated_headers_the_rules_need_are_malformed()
    {
        Assert.Equal(SpoofDropReason.Malformed, WithIps.Check(Ipv4("10.0.0.2").AsSpan(0, 14 + 19)));
        Assert.Equal(SpoofDropReason.Malformed, MacOnly.Check(Arp(VifMac, "10.0.0.2").AsSpan(0, 14 + 27)));
        Assert.Equal(SpoofDropReason.Malformed, WithIps.Check(Ipv6("fd00::2", 58, Ndp(136, "fd00::2")).AsSpan(0, 14 + 40 + 20)));
        // NA options beyond the inspected prefix: cannot vouch for them.
        Assert.Equal(SpoofDropReason.Malformed, WithIps.Check(Ipv6("fd00::2", 58, Ndp(136, "fd00::2", 2)).AsSpan(0, 14 + 40 + 24 + 4)));
    }

    [Fact]
    public void Truncated_frames_are_dropped_never_thrown_on()
    {
        byte[][] frames =
        [
            Ipv4("10.0.0.2"), Arp(VifMac, "10.0.0.2"), Ipv6("fd00::2", 58, Ndp(136, "fd00::2", 2)),
            Ipv6("::", 58, Ndp(135, "fd00::2", 1)), Ethernet(VifMac, 0x0800, Ipv4("10.0.0.2")[14..], 0x8100),
            Ipv6("fd00::2", 58, Ndp(136, "fd00::2"), new byte[8]),
        ];
        foreach (var frame in frames)
        {
            for (int n = 0; n < frame.Length; n++)
            {
                // A prefix may pass once the fields the rules need are in it; it must never throw,
                // and a frame cut inside the Ethernet header never passes.
                var reason = WithIps.Check(frame.AsSpan(0, n));
                _ = MacOnly.Check(frame.AsSpan(0, n));
                if (n < 14)
                {
                    Assert.Equal(SpoofDropReason.Malformed, reason);
                }
            }
            Assert.Equal(SpoofDropReason.None, WithIps.Check(frame));
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(4711);
        var frame = new byte[SpoofFilter.HeaderBytes];
        for (int i = 0; i < 20000; i++)
        {
            random.NextBytes(frame);
            VifMac.CopyTo(frame, 6);
            // Favour the EtherTypes the filter parses, so the deep paths are reached.
            ushort[] types = [0x0800, 0x0806, 0x86dd, 0x8100];
            ushort t = types[random.Next(types.Length)];
            frame[12] = (byte)(t >> 8);
            frame[13] = (byte)t;
            frame[14] = (byte)(t == 0x86dd ? 0x60 : t == 0x0800 ? 0x45 : frame[14]);
            int n = random.Next(frame.Length + 1);
            _ = WithIps.Check(frame.AsSpan(0, n));
            _ = MacOnly.Check(frame.AsSpan(0, n));
        }
    }
}
