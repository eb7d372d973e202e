using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Netfront.Cli;

/// <summary>An IPv4 address with its prefix length, as written in CIDR notation (<c>10.0.0.2/24</c>).</summary>
internal sealed record Ipv4Prefix(IPAddress Address, int PrefixLength)
{
    public static bool TryParse(string? text, out Ipv4Prefix? prefix)
    {
        prefix = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int length)
            || length is < 0 or > 32)
        {
            return false;
        }
        prefix = new Ipv4Prefix(address, length);
        return true;
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
}
