using System.Globalization;

namespace Netback.Daemon.Configuration;

/// <summary>Checks <c>Netback:Access</c> at start; each problem is one line naming the key.</summary>
internal static class AccessOptionsValidator
{
    public static void Validate(AccessOptions? o, List<string> errors)
    {
        if (o is null)
        {
            errors.Add("Netback:Access must be an object");
            return;
        }
        if (o.MaxVifsPerUid is < 0 or > 4096)
        {
            errors.Add($"Netback:Access:MaxVifsPerUid must be 0..4096 (got {o.MaxVifsPerUid})");
        }
        var seen = new HashSet<uint>();
        for (int i = 0; i < o.Rules.Count; i++)
        {
            string at = string.Create(CultureInfo.InvariantCulture, $"Netback:Access:Rules:{i}");
            var rule = o.Rules[i];
            if (rule.Uid is not { } uid)
            {
                errors.Add($"{at}:Uid is required");
            }
            else if (!seen.Add(uid))
            {
                errors.Add($"{at}: uid {uid} has a rule already (one rule per uid)");
            }
            if (rule.MaxVifs is < 0 or > 4096)
            {
                errors.Add($"{at}:MaxVifs must be 0..4096 (got {rule.MaxVifs})");
            }
            foreach (string mac in rule.Macs)
            {
                if (!IsMacGlob(mac))
                {
                    errors.Add($"{at}:Macs: '{mac}' is not a MAC glob such as 00:16:3e:* (hex digits, ':', '*', '?')");
                }
            }
            foreach (string name in rule.VifNames)
            {
                if (!IsNameGlob(name))
                {
                    errors.Add($"{at}:VifNames: '{name}' is not an interface-name glob such as vif1.* (1..15 characters, no '/', ':' or spaces)");
                }
            }
            foreach (string name in rule.Bridges)
            {
                if (!IsNameGlob(name))
                {
                    errors.Add($"{at}:Bridges: '{name}' is not an interface-name glob such as xenbr* (1..15 characters, no '/', ':' or spaces)");
                }
            }
            ValidateSelfService(rule, at, errors);
        }
    }

    /// <summary>The keys a rule grants, its self-service domids and the prefixes and MTUs its values must keep to.</summary>
    private static void ValidateSelfService(AccessRule rule, string at, List<string> errors)
    {
        foreach (string key in rule.Keys)
        {
            if (!VifSpecKeys.IsHostSide(key))
            {
                errors.Add($"{at}:Keys: '{key}' is not a host-side vifspec key ({string.Join(", ", VifSpecKeys.HostSide)}; "
                    + "a frontend needs no grant for offloads=)");
            }
        }
        if (rule.DomIds is not null && !NumberRanges.TryParse(rule.DomIds, 1, VifDeclaration.MaxDomId, out _, out string? rangeError))
        {
            errors.Add($"{at}:DomIds '{rule.DomIds}' {rangeError} (like 100-199,300)");
        }
        if (rule.SelfService && rule.DomIds is null)
        {
            errors.Add($"{at}: SelfService needs DomIds, the domids the uid may declare (like 100-199)");
        }
        if (!rule.SelfService && rule.DomIds is not null)
        {
            errors.Add($"{at}: DomIds is only read with SelfService: true");
        }
        foreach (string prefix in rule.Ips)
        {
            if (!prefix.Contains('/', StringComparison.Ordinal) || !VifSpec.TryParseIps(prefix, out var parsed, out _) || parsed.Count != 1)
            {
                errors.Add($"{at}:Ips: '{prefix}' is not an IPv4 or IPv6 prefix with zero host bits such as 10.9.0.0/24");
            }
        }
        if (rule.Mtu is not null && !NumberRanges.TryParse(rule.Mtu, VifSpec.MinMtu, VifSpec.MaxMtu, out _, out string? mtuError))
        {
            errors.Add($"{at}:Mtu '{rule.Mtu}' {mtuError} (like 1280-9000)");
        }
    }

    private static bool IsMacGlob(string s)
    {
        if (string.IsNullOrEmpty(s) || s.Length > 17)
        {
            return false;
        }
        foreach (char c in s)
        {
            if (!(char.IsAsciiHexDigit(c) || c is ':' or '*' or '?'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>What dev_valid_name accepts, plus the two wildcards.</summary>
    private static bool IsNameGlob(string s)
    {
        if (string.IsNullOrEmpty(s) || s.Length > 15 || s is "." or "..")
        {
            return false;
        }
        foreach (char c in s)
        {
            if (c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return false;
            }
        }
        return true;
    }
}
