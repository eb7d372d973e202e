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
