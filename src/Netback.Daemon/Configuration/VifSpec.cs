using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;

namespace Netback.Daemon.Configuration;

/// <summary>
/// A vif specification in xl's syntax (xl-network-configuration(5)): comma-separated
/// <c>key=value</c> pairs such as <c>mac=00:16:3e:01:02:03,bridge=xenbr0,vifname=web0,mtu=9000</c>.
/// Later specs override earlier ones key by key (daemon default, then the frontend's).
/// </summary>
internal sealed record VifSpec
{
    /// <summary>IPv4's minimum; the largest frame a TAP carries is 65535 bytes with its Ethernet header and a VLAN tag.</summary>
    public const int MinMtu = 68;

    public const int MaxMtu = 65535 - 18;

    public PhysicalAddress? Mac { get; init; }
    public string? Bridge { get; init; }
    /// <summary><c>ip=</c>: addresses (as /32 or /128) or prefixes the guest may send from (anti-spoofing).</summary>
    public IReadOnlyList<IPNetwork> Ips { get; init; } = [];
    /// <summary><c>rate=</c>, parsed: guest-TX credit per interval.</summary>
    public RateLimit? Rate { get; init; }
    public string? VifName { get; init; }
    public int? Mtu { get; init; }

    /// <summary>
    /// <c>offloads=on|off</c> (this emulation's key; default on): checksum and segmentation offloads
    /// in both directions. Off: no TUNSETOFFLOAD, Connected's features 0, guest GSO frames refused.
    /// </summary>
    public bool? Offloads { get; init; }

    /// <summary><c>tx-copy=direct|bounce|map</c> (this emulation's key; default direct): how guest TX reaches the TAP.</summary>
    public TxCopyMode? TxCopy { get; init; }

    /// <summary>
    /// <c>script=</c>: the hotplug script netbackd runs with <c>online</c> and <c>offline</c> (default
    /// <see cref="DefaultScript"/>), a file name in <c>Netback:ScriptDirectory</c>, never a path
    /// (<see cref="IsScriptName"/>): xl's <c>script=</c> may name any file, which a frontend must not.
    /// </summary>
    public string? Script { get; init; }

    /// <summary>Xen's default (<c>vif.default.script</c> in xl.conf).</summary>
    public const string DefaultScript = "vif-bridge";

    /// <summary>xl keys this daemon accepts but that have no effect here (toolstack or HVM matters).</summary>
    private static readonly HashSet<string> Ignored = ["type", "model", "backend", "devid", "gatewaydev", "accel", "trusted"];

    public static bool TryParse(string? text, out VifSpec spec, out string? error)
    {
        spec = new VifSpec();
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (text.Length > 1024)
        {
            error = "vifspec longer than 1024 characters";
            return false;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = raw.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = $"'{raw}' is not key=value";
                return false;
            }
            string key = raw[..eq].Trim();
            string value = raw[(eq + 1)..].Trim();
            if (!seen.Add(key))
            {
                error = $"key '{key}' given twice";
                return false;
            }
            switch (key)
            {
                case "mac":
                    if (!XenMac.TryParse(value, out var mac))
                    {
                        error = $"mac '{value}' is not a unicast MAC like 00:16:3e:01:02:03";
                        return false;
                    }
                    spec = spec with { Mac = mac };
                    break;
                case "bridge":
                    if (!IsInterfaceName(value))
                    {
                        error = $"bridge '{value}' is not a valid interface name";
                        return false;
                    }
                    spec = spec with { Bridge = value };
                    break;
                case "ip":
                    if (!TryParseIps(value, out var ips, out error))
                    {
                        return false;
                    }
                    if (ips.Count == 0)
                    {
                        // An empty ip= would read as "no ip= given": say so rather than let it pass as either.
                        error = "ip= lists no address (leave the key out for none)";
                        return false;
                    }
                    spec = spec with { Ips = ips };
                    break;
                case "rate":
                    if (!RateLimit.TryParse(value, out var rate, out string? rateError))
                    {
                        error = $"rate '{value}': {rateError}";
                        return false;
                    }
                    spec = spec with { Rate = rate };
                    break;
                case "script":
                    if (!IsScriptName(value))
                    {
                        error = $"script '{value}' is not a script name: a file in Netback:ScriptDirectory, 1..64 of [A-Za-z0-9_.+-], "
                            + "with no '/' or '..' and not starting with '.'";
                        return false;
                    }
                    spec = spec with { Script = value };
                    break;
                case "vifname":
                    if (!IsInterfaceName(value))
                    {
                        error = $"vifname '{value}' is not a valid interface name (1..15 of [A-Za-z0-9_.-])";
                        return false;
                    }
                    spec = spec with { VifName = value };
                    break;
                case "mtu":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int mtu) || mtu is < MinMtu or > MaxMtu)
                    {
                        error = $"mtu '{value}' must be {MinMtu}..{MaxMtu}";
                        return false;
                    }
                    spec = spec with { Mtu = mtu };
                    break;
                case "offloads":
                    if (value is not ("on" or "off"))
                    {
                        error = $"offloads '{value}' must be on or off";
                        return false;
                    }
                    spec = spec with { Offloads = value == "on" };
                    break;
                case "tx-copy":
                    if (!TxCopyModeNames.TryParse(value, out var copy))
                    {
                        error = $"tx-copy '{value}' must be {TxCopyModeNames.Allowed}";
                        return false;
                    }
                    spec = spec with { TxCopy = copy };
                    break;
                default:
                    if (!Ignored.Contains(key))
                    {
                        error = $"unknown vifspec key '{key}' (known: mac, bridge, ip, rate, vifname, mtu, offloads, tx-copy, script)";
                        return false;
                    }
                    break;
            }
        }
        return true;
    }

    /// <summary>This spec with every key that <paramref name="other"/> sets taken from it.</summary>
    public VifSpec OverrideWith(VifSpec other) => new()
    {
        Mac = other.Mac ?? Mac,
        Bridge = other.Bridge ?? Bridge,
        Ips = other.Ips.Count > 0 ? other.Ips : Ips,
        Rate = other.Rate ?? Rate,
        VifName = other.VifName ?? VifName,
        Mtu = other.Mtu ?? Mtu,
        Offloads = other.Offloads ?? Offloads,
        TxCopy = other.TxCopy ?? TxCopy,
        Script = other.Script ?? Script,
    };

    /// <summary>The keys this spec sets, in xl syntax; <see cref="TryParse"/> reads it back to an equal spec.</summary>
    public string Format()
    {
        var parts = new List<string>();
        if (Mac is not null)
        {
            parts.Add($"mac={XenMac.Format(Mac)}");
        }
        if (Bridge is not null)
        {
            parts.Add($"bridge={Bridge}");
        }
        if (Ips.Count > 0)
        {
            parts.Add($"ip={FormatIps(Ips)}");
        }
        if (Rate is not null)
        {
            parts.Add($"rate={Rate}");
        }
        if (VifName is not null)
        {
            parts.Add($"vifname={VifName}");
        }
        if (Mtu is { } mtu)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"mtu={mtu}"));
        }
        if (Offloads is { } offloads)
        {
            parts.Add(offloads ? "offloads=on" : "offloads=off");
        }
        if (TxCopy is { } copy)
        {
            parts.Add($"tx-copy={copy.ToKey()}");
        }
        if (Script is not null)
        {
            parts.Add($"script={Script}");
        }
        return string.Join(',', parts);
    }

    /// <summary><c>ip=</c>'s value: a single address written bare, as xl writes it; prefixes keep their length.</summary>
    public static string FormatIps(IEnumerable<IPNetwork> ips) => string.Join(' ', ips.Select(n =>
        n.PrefixLength == (n.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            ? n.BaseAddress.ToString() : n.ToString()));

    /// <summary>
    /// xl's <c>ip=</c>: a space-separated list. Xen takes IPv4 addresses; here also IPv6 addresses
    /// and CIDR prefixes (<c>10.0.0.0/29</c>, <c>fd00::/64</c>), whose host bits must be zero.
    /// </summary>
    internal static bool TryParseIps(string value, out List<IPNetwork> ips, out string? error)
    {
        ips = [];
        error = null;
        foreach (string item in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (item.Contains('/', StringComparison.Ordinal))
            {
                // .NET masks host bits away silently; a prefix with them set is a typo worth refusing.
                if (!IPNetwork.TryParse(item, out var network) || !IPAddress.TryParse(item.AsSpan(0, item.IndexOf('/', StringComparison.Ordinal)), out var b) ||
                    !b.Equals(network.BaseAddress))
                {
                    error = $"ip '{item}' is not an IPv4 or IPv6 prefix with zero host bits";
                    return false;
                }
                ips.Add(network);
            }
            else if (IPAddress.TryParse(item, out var a) && !item.Contains('%', StringComparison.Ordinal))
            {
                ips.Add(new IPNetwork(a, a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                error = $"ip '{item}' is not an IPv4 or IPv6 address";
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A hotplug script's name: a plain file name that resolves inside the script directory and
    /// nowhere else (no '/', no '..', no hidden file, nothing a shell or the journal would read
    /// differently). Whoever sets <c>script=</c>, the name alone can never reach another directory.
    /// </summary>
    internal static bool IsScriptName(string s) =>
        s.Length is > 0 and <= 64 && s[0] != '.' && !s.Contains("..", StringComparison.Ordinal) &&
        s.All(c => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '-' or '.' or '+');

    internal static bool IsInterfaceName(string s) =>
        s.Length is > 0 and < 16 && s != "." && s != ".." &&
        s.All(c => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '-' or '.');
}
