using System.Net;
using Netback.Daemon.Configuration;

namespace Netback.Daemon.Access;

/// <summary>A validated <see cref="AccessRule"/>, parsed once: what the policy asks at each Connect.</summary>
internal sealed class UidRule
{
    private UidRule(AccessRule rule)
    {
        MaxVifs = rule.MaxVifs;
        Macs = [.. rule.Macs];
        VifNames = [.. rule.VifNames];
        Bridges = [.. rule.Bridges];
        SelfService = rule.SelfService;
        Keys = new HashSet<string>(rule.Keys, StringComparer.Ordinal);
        DomIds = rule.DomIds is null ? null : Parse(rule.DomIds, 1, VifDeclaration.MaxDomId);
        Mtu = rule.Mtu is null ? null : Parse(rule.Mtu, VifSpec.MinMtu, VifSpec.MaxMtu);
        var ips = new List<IPNetwork>();
        foreach (string prefix in rule.Ips)
        {
            ips.AddRange(VifSpec.TryParseIps(prefix, out var parsed, out string? error) ? parsed
                : throw new InvalidOperationException($"Netback:Access rule for uid {rule.Uid}: Ips '{prefix}': {error}"));
        }
        Ips = ips;
    }

    public int? MaxVifs { get; }

    public IReadOnlyList<string> Macs { get; }

    public IReadOnlyList<string> VifNames { get; }

    public IReadOnlyList<string> Bridges { get; }

    public bool SelfService { get; }

    public IReadOnlySet<string> Keys { get; }

    public NumberRanges? DomIds { get; }

    public IReadOnlyList<IPNetwork> Ips { get; }

    public NumberRanges? Mtu { get; }

    /// <summary>From options the validator passed (a failure here is a bug, not a user error).</summary>
    public static UidRule From(AccessRule rule) => new(rule);

    /// <summary>Is every address of <paramref name="network"/> inside one of <see cref="Ips"/>?</summary>
    public bool AllowsIp(IPNetwork network)
    {
        foreach (var allowed in Ips)
        {
            if (allowed.BaseAddress.AddressFamily == network.BaseAddress.AddressFamily &&
                network.PrefixLength >= allowed.PrefixLength && allowed.Contains(network.BaseAddress))
            {
                return true;
            }
        }
        return false;
    }

    private static NumberRanges Parse(string text, int min, int max) =>
        NumberRanges.TryParse(text, min, max, out var ranges, out string? error) ? ranges
            : throw new InvalidOperationException($"'{text}' {error}");
}
