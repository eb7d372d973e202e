using System.Net;
using System.Net.NetworkInformation;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// <see cref="PeerNotification"/>: the frames xen-netfront's resume makes the guest send, byte for
/// byte as Linux builds them (inetdev_send_gratuitous_arp, ndisc_send_unsol_na).
/// </summary>
public sealed class PeerNotificationTests
{
    private static readonly PhysicalAddress Mac = PhysicalAddress.Parse("00-16-3E-01-02-03");

    [Fact]
    public void A_gratuitous_arp_is_a_broadcast_request_for_the_address_by_itself()
    {
        byte[] f = PeerNotification.GratuitousArp(Mac, IPAddress.Parse("10.1.2.3"));
        Assert.Equal(
            Convert.FromHexString("ffffffffffff" + "00163e010203" + "0806" + "0001" + "0800" + "06" + "04" + "0001"
                + "00163e010203" + "0a010203" + "000000000000" + "0a010203"), f);
    }

    [Fact]
    public void An_unsolicited_na_goes_to_all_nodes_from_the_address_with_override_and_a_valid_checksum()
    {
        var address = IPAddress.Parse("fd00::2");
        byte[] f = PeerNotification.UnsolicitedNeighbourAdvertisement(Mac, address);
        Assert.Equal(PeerNotification.NaFrameLength, f.Length);
        Assert.Equal(Convert.FromHexString("333300000001" + "00163e010203" + "86dd"), f[..14]);
        Assert.Equal(Convert.FromHexString("60000000" + "0020" + "3a" + "ff"), f[14..22]);
        Assert.Equal(address.GetAddressBytes(), f[22..38]);
        Assert.Equal(IPAddress.Parse("ff02::1").GetAddressBytes(), f[38..54]);
        byte[] icmp = f[54..];
        Assert.Equal(136, icmp[0]);
        Assert.Equal(0, icmp[1]);
        Assert.Equal(Convert.FromHexString("20000000"), icmp[4..8]); // O set, R and S clear
        Assert.Equal(address.GetAddressBytes(), icmp[8..24]);
        Assert.Equal(Convert.FromHexString("0201" + "00163e010203"), icmp[24..32]);

        // The one's-complement sum over pseudo-header and message, checksum included, is all ones.
        byte[] pseudo = [.. f[22..54], 0, 0, 0, 32, 0, 0, 0, 58, .. icmp];
        uint sum = 0;
        for (int i = 0; i < pseudo.Length; i += 2)
        {
            sum += (uint)((pseudo[i] << 8) | pseudo[i + 1]);
        }
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        Assert.Equal(0xffffu, sum);
    }

    [Fact]
    public void Frames_are_one_per_unicast_address_in_order()
    {
        var frames = PeerNotification.Frames(Mac, [IPAddress.Parse("10.0.0.2"), IPAddress.Parse("fe80::216:3eff:fe01:203"), IPAddress.Parse("ff02::1")]);
        Assert.Equal([PeerNotification.ArpFrameLength, PeerNotification.NaFrameLength], frames.Select(f => f.Length));
        Assert.Throws<ArgumentException>(() => PeerNotification.GratuitousArp(Mac, IPAddress.Parse("fd00::1")));
        Assert.Throws<ArgumentException>(() => PeerNotification.GratuitousArp(PhysicalAddress.Parse("00-01-02-03-04-05-06-07"), IPAddress.Parse("10.0.0.1")));
    }
}
