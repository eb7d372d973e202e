using System.Globalization;
using System.Net.NetworkInformation;

namespace Netback.Daemon.Configuration;

/// <summary>MAC addresses as Xen's toolstack writes and generates them (<c>mac=</c>, libxl).</summary>
internal static class XenMac
{
    /// <summary>Xen's OUI for generated MACs.</summary>
    private static readonly byte[] XenOui = [0x00, 0x16, 0x3e];

    /// <summary>The backend side's MAC, as Xen gives every vif netdev (fe:ff:ff:ff:ff:ff).</summary>
    public static PhysicalAddress Backend { get; } = new([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff]);

    /// <summary>A random MAC in Xen's OUI 00:16:3e, as xl generates.</summary>
    public static PhysicalAddress Random()
    {
        var bytes = new byte[6];
        XenOui.CopyTo(bytes, 0);
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes.AsSpan(3));
        bytes[3] &= 0x7f; // as libxl does: keep the top bit of the fourth byte clear
        return new PhysicalAddress(bytes);
    }

    /// <summary>
    /// The MAC of a declared vif the operator gave none: Xen's OUI, then the top bit of the fourth
    /// byte set (libxl's random MACs keep it clear, so the two never meet), the domid's 15 bits and
    /// the devid's 8. Stable across daemon restarts, so a frontend that restates it on reconnect
    /// restates the vif's own MAC.
    /// </summary>
    public static PhysicalAddress ForVif(int domId, int devId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(domId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(domId, 0x7FFF);
        ArgumentOutOfRangeException.ThrowIfNegative(devId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(devId, 0xFF);
        return new PhysicalAddress([.. XenOui, (byte)(0x80 | (domId >> 8)), (byte)domId, (byte)devId]);
    }

    /// <summary>xl's form: lower-case hex pairs separated by colons.</summary>
    public static string Format(PhysicalAddress mac) =>
        string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>A unicast, non-zero station address like <c>00:16:3e:01:02:03</c>.</summary>
    public static bool TryParse(string value, out PhysicalAddress mac)
    {
        mac = PhysicalAddress.None;
        string[] parts = value.Split(':');
        if (parts.Length != 6)
        {
            return false;
        }
        var bytes = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            if (parts[i].Length != 2 || !byte.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }
        if ((bytes[0] & 1) != 0 || bytes.All(b => b == 0))
        {
            return false; // multicast or all-zero: not a station address
        }
        mac = new PhysicalAddress(bytes);
        return true;
    }
}
