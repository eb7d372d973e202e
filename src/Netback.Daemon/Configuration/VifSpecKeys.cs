namespace Netback.Daemon.Configuration;

/// <summary>
/// The vifspec's keys by who decides them. Host-side keys place the vif on the host network (its
/// identity there, its addresses, its bridge, its share of the link, its netdev, the backend's copy
/// work): the operator's, as Xen's toolstack writes them into the backend node. A frontend may send
/// one only to restate the vif's own value, or where an access rule grants it (<c>Keys</c>).
/// Everything else a frontend may send narrows its own vif (<c>offloads=off</c>) or is ignored.
/// </summary>
internal static class VifSpecKeys
{
    public const string Mac = "mac";
    public const string Ip = "ip";
    public const string Bridge = "bridge";
    public const string Rate = "rate";
    public const string Mtu = "mtu";
    public const string VifName = "vifname";
    public const string TxCopy = "tx-copy";
    public const string Offloads = "offloads";
    public const string Script = "script";

    /// <summary>
    /// The operator's keys. <c>script=</c> is one: the script runs as the daemon (root, CAP_NET_ADMIN),
    /// so only a declaration, <c>DefaultVifSpec</c> or a rule's <c>Keys</c> grant may choose it.
    /// </summary>
    public static readonly IReadOnlyList<string> HostSide = [Mac, Ip, Bridge, Rate, Mtu, VifName, TxCopy, Script];

    public static bool IsHostSide(string key) => HostSide.Contains(key);

    /// <summary>The host-side keys <paramref name="spec"/> sets, in <see cref="HostSide"/>'s order.</summary>
    public static IEnumerable<string> HostSideKeysOf(VifSpec spec)
    {
        if (spec.Mac is not null)
        {
            yield return Mac;
        }
        if (spec.Ips.Count > 0)
        {
            yield return Ip;
        }
        if (spec.Bridge is not null)
        {
            yield return Bridge;
        }
        if (spec.Rate is not null)
        {
            yield return Rate;
        }
        if (spec.Mtu is not null)
        {
            yield return Mtu;
        }
        if (spec.VifName is not null)
        {
            yield return VifName;
        }
        if (spec.TxCopy is not null)
        {
            yield return TxCopy;
        }
        if (spec.Script is not null)
        {
            yield return Script;
        }
    }

    /// <summary>Do both specs give <paramref name="key"/> the same value (both unset counts)?</summary>
    public static bool SameValue(string key, VifSpec a, VifSpec b) => key switch
    {
        Mac => Equals(a.Mac, b.Mac),
        Ip => a.Ips.Count == b.Ips.Count && a.Ips.All(b.Ips.Contains),
        Bridge => a.Bridge == b.Bridge,
        Rate => a.Rate == b.Rate,
        Mtu => a.Mtu == b.Mtu,
        VifName => a.VifName == b.VifName,
        TxCopy => a.TxCopy == b.TxCopy,
        Script => a.Script == b.Script,
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a host-side key"),
    };

    /// <summary><paramref name="target"/> with <paramref name="key"/> taken from <paramref name="source"/>.</summary>
    public static VifSpec Take(string key, VifSpec target, VifSpec source) => key switch
    {
        Mac => target with { Mac = source.Mac },
        Ip => target with { Ips = source.Ips },
        Bridge => target with { Bridge = source.Bridge },
        Rate => target with { Rate = source.Rate },
        Mtu => target with { Mtu = source.Mtu },
        VifName => target with { VifName = source.VifName },
        TxCopy => target with { TxCopy = source.TxCopy },
        Script => target with { Script = source.Script },
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a host-side key"),
    };
}
