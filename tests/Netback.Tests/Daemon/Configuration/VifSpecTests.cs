using System.Net;
using Netback.Daemon.Configuration;

namespace Netback.Tests.Daemon.Configuration;

/// <summary>xl's vif syntax (xl-network-configuration(5)) as the daemon parses it.</summary>
public sealed class VifSpecTests
{
    private static VifSpec Parse(string? text)
    {
        Assert.True(VifSpec.TryParse(text, out var spec, out string? error), error);
        Assert.Null(error);
        return spec;
    }

    private static string Rejected(string text)
    {
        Assert.False(VifSpec.TryParse(text, out _, out string? error));
        Assert.NotNull(error);
        return error;
    }

    [Fact]
    public void Every_key_is_parsed()
    {
        var s = Parse("mac=00:16:3E:0a:0b:0c, bridge=xenbr0 ,ip=10.0.0.2 192.168.7.1 fd00::2,rate=10Mb/s,vifname=web0.1,mtu=9000");
        Assert.Equal("00:16:3e:0a:0b:0c", XenMac.Format(s.Mac!));
        Assert.Equal("xenbr0", s.Bridge);
        Assert.Equal(new[] { IPNetwork.Parse("10.0.0.2/32"), IPNetwork.Parse("192.168.7.1/32"), IPNetwork.Parse("fd00::2/128") }, s.Ips);
        Assert.Equal("10Mb/s@50ms", s.Rate!.ToString());
        Assert.Equal("web0.1", s.VifName);
        Assert.Equal(9000, s.Mtu);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(",,")]
    public void Empty_specs_set_nothing(string? text)
    {
        var s = Parse(text);
        Assert.Null(s.Mac);
        Assert.Null(s.Bridge);
        Assert.Empty(s.Ips);
        Assert.Null(s.Rate);
        Assert.Null(s.VifName);
        Assert.Null(s.Mtu);
    }

    [Fact]
    public void Toolstack_and_HVM_keys_are_accepted_and_ignored()
    {
        var s = Parse("type=vif,model=e1000,backend=0,devid=3,gatewaydev=eth0,accel=none,trusted=1,mtu=1500");
        Assert.Equal(1500, s.Mtu);
        Assert.Null(s.Mac);
        Assert.Null(s.VifName);
    }

    [Theory]
    [InlineData("68")]
    [InlineData("1500")]
    [InlineData("65517")]
    public void Mtu_bounds_are_accepted(string mtu) => Assert.Equal(int.Parse(mtu, System.Globalization.CultureInfo.InvariantCulture), Parse($"mtu={mtu}").Mtu);

    [Theory]
    [InlineData("mac=01:00:5e:00:00:01", "mac")]        // multicast
    [InlineData("mac=ff:ff:ff:ff:ff:ff", "mac")]        // broadcast
    [InlineData("mac=00:00:00:00:00:00", "mac")]        // all zero
    [InlineData("mac=00:16:3e:01:02", "mac")]
    [InlineData("mac=00:16:3e:01:02:03:04", "mac")]
    [InlineData("mac=00-16-3e-01-02-03", "mac")]
    [InlineData("mac=0:16:3e:01:02:03", "mac")]
    [InlineData("mac=00:16:3e:01:02:zz", "mac")]
    [InlineData("mac=", "mac")]
    [InlineData("vifname=", "vifname")]
    [InlineData("vifname=abcdefghijklmnop", "vifname")]   // 16 characters
    [InlineData("vifname=vif/1", "vifname")]
    [InlineData("vifname=vif 1", "vifname")]
    [InlineData("vifname=..", "vifname")]
    [InlineData("vifname=.", "vifname")]
    [InlineData("vifname=vif:1", "vifname")]
    [InlineData("bridge=br/0", "bridge")]
    [InlineData("ip=10.0.0.300", "ip")]
    [InlineData("ip=10.0.0.1 nonsense", "ip")]
    [InlineData("mtu=67", "mtu")]
    [InlineData("mtu=65518", "mtu")]
    [InlineData("mtu=-1500", "mtu")]
    [InlineData("mtu=1500b", "mtu")]
    [InlineData("mtu=", "mtu")]
    [InlineData("colour=blue", "unknown vifspec key 'colour'")]
    [InlineData("mtu=1500,mtu=1400", "key 'mtu' given twice")]
    [InlineData("mac=00:16:3e:01:02:03,type=vif,mac=00:16:3e:01:02:04", "key 'mac' given twice")]
    [InlineData("mtu", "'mtu' is not key=value")]
    [InlineData("=1500", "'=1500' is not key=value")]
    [InlineData("mtu=1500,bridge", "'bridge' is not key=value")]
    public void Bad_specs_are_rejected_naming_the_problem(string text, string part) =>
        Assert.Contains(part, Rejected(text), StringComparison.Ordinal);

    [Fact]
    public void A_fifteen_character_vifname_is_the_longest_accepted()
    {
        Assert.Equal("abcdefghijklmno", Parse("vifname=abcdefghijklmno").VifName);
        Assert.Equal("A-b_c.9", Parse("vifname=A-b_c.9").VifName);
    }

    [Theory]
    [InlineData("vif-bridge")]
    [InlineData("vif-openvswitch")]
    [InlineData("my_vif.v2+ovs")]
    public void Script_is_a_file_name_in_the_script_directory(string name)
    {
        Assert.Equal(name, Parse($"script={name}").Script);
        Assert.Equal($"script={name}", Parse($"script={name}").Format());
    }

    [Theory]
    [InlineData("../../bin/sh")]
    [InlineData("/bin/sh")]
    [InlineData("/etc/xen/scripts/vif-bridge")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData(".hidden")]
    [InlineData("vif..bridge")]
    [InlineData("sub/vif-bridge")]
    [InlineData("vif-bridge;reboot")]
    [InlineData("$(reboot)")]
    [InlineData("vif bridge")]
    [InlineData("vif-bridge\u001b")]
    [InlineData("")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 65
    public void A_script_that_is_a_path_or_no_plain_name_is_refused(string name)
    {
        Assert.Contains("is not a script name", Rejected($"script={name}"), StringComparison.Ordinal);
    }

    [Fact]
    public void Specs_longer_than_1024_characters_are_rejected()
    {
        string text = "model=" + new string('x', 1019); // an accepted, ignored xl key
        Assert.Equal(1025, text.Length);
        Assert.Contains("1024", Rejected(text), StringComparison.Ordinal);
        Assert.Equal(new VifSpec().Format(), Parse(text[..1024]).Format());
    }

    [Fact]
    public void OverrideWith_takes_every_key_the_other_spec_sets()
    {
        var daemon = Parse("mac=00:16:3e:00:00:01,bridge=xenbr0,ip=10.0.0.1,rate=1Mb/s,mtu=1500");
        var frontend = Parse("vifname=web0,mtu=9000,ip=10.0.0.9 10.0.0.10");
        var merged = daemon.OverrideWith(frontend);
        Assert.Equal("00:16:3e:00:00:01", XenMac.Format(merged.Mac!));
        Assert.Equal("xenbr0", merged.Bridge);
        Assert.Equal(new[] { IPNetwork.Parse("10.0.0.9/32"), IPNetwork.Parse("10.0.0.10/32") }, merged.Ips);
        Assert.Equal("1Mb/s@50ms", merged.Rate!.ToString());
        Assert.Equal("web0", merged.VifName);
        Assert.Equal(9000, merged.Mtu);

        var all = Parse("mac=00:16:3e:00:00:02,bridge=br1,rate=5Mb/s");
        var overridden = daemon.OverrideWith(all);
        Assert.Equal("00:16:3e:00:00:02", XenMac.Format(overridden.Mac!));
        Assert.Equal("br1", overridden.Bridge);
        Assert.Equal("5Mb/s@50ms", overridden.Rate!.ToString());
        Assert.Equal(new[] { IPNetwork.Parse("10.0.0.1/32") }, overridden.Ips); // an empty ip list does not override
        Assert.Equal(1500, overridden.Mtu);

        var unchanged = daemon.OverrideWith(new VifSpec());
        Assert.Equal(daemon.Bridge, unchanged.Bridge);
        Assert.Equal(daemon.Mtu, unchanged.Mtu);
        Assert.Equal(daemon.Ips, unchanged.Ips);
        Assert.Null(unchanged.VifName);
    }

    [Fact]
    public void RandomXenMac_is_a_unicast_station_address_in_Xens_OUI()
    {
        var seen = new HashSet<string>();
        for (int i = 0; i < 500; i++)
        {
            byte[] b = XenMac.Random().GetAddressBytes();
            Assert.Equal(6, b.Length);
            Assert.Equal(new byte[] { 0x00, 0x16, 0x3e }, b[..3]);
            Assert.Equal(0, b[0] & 0x01);   // unicast
            Assert.Equal(0, b[0] & 0x02);   // globally administered: Xen's OUI, as xl generates
            Assert.Equal(0, b[3] & 0x80);   // libxl keeps the top bit of the fourth byte clear
            string text = XenMac.Format(new System.Net.NetworkInformation.PhysicalAddress(b));
            Assert.Matches("^00:16:3e:[0-7][0-9a-f]:[0-9a-f]{2}:[0-9a-f]{2}$", text);
            Assert.True(VifSpec.TryParse($"mac={text}", out var back, out _), text); // accepted as a vifspec mac
            Assert.Equal(b, back.Mac!.GetAddressBytes());
            seen.Add(text);
        }
        Assert.True(seen.Count > 450, $"only {seen.Count} distinct MACs in 500"); // 2^23 space: collisions are rare
    }
}
