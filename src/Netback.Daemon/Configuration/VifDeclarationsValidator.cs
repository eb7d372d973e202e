using System.Globalization;

namespace Netback.Daemon.Configuration;

/// <summary>
/// Checks <c>Netback:Vifs</c> at start, and a runtime declaration against those it joins: each is
/// well-formed, and no two share ids, a netdev name or a MAC.
/// </summary>
internal static class VifDeclarationsValidator
{
    public static void Validate(List<VifDeclarationOptions>? vifs, List<string> errors)
    {
        if (vifs is null)
        {
            errors.Add("Netback:Vifs must be a list");
            return;
        }
        var accepted = new List<VifDeclaration>();
        for (int i = 0; i < vifs.Count; i++)
        {
            string at = string.Create(CultureInfo.InvariantCulture, $"Netback:Vifs:{i}");
            var o = vifs[i];
            if (o is null)
            {
                errors.Add($"{at} is empty");
                continue;
            }
            if (!VifDeclaration.TryCreate(o.DomId, o.DevId, o.Uid, o.Gid, o.Spec, VifDeclarationSource.Configuration, out var d, out string? error))
            {
                errors.Add($"{at}: {error}");
                continue;
            }
            if (Conflict(accepted, d!) is { } conflict)
            {
                errors.Add($"{at}: {conflict}");
                continue;
            }
            accepted.Add(d!);
        }
    }

    /// <summary>Why <paramref name="candidate"/> cannot join <paramref name="declared"/>, or null.</summary>
    public static string? Conflict(IEnumerable<VifDeclaration> declared, VifDeclaration candidate)
    {
        foreach (var other in declared)
        {
            if (other.DomId == candidate.DomId && other.DevId == candidate.DevId)
            {
                return $"domid {candidate.DomId} devid {candidate.DevId} is declared already ({other.Name}, {other.Owner})";
            }
            if (other.Name == candidate.Name)
            {
                return $"the name {candidate.Name} is declared already (domid {other.DomId} devid {other.DevId})";
            }
            if (Equals(other.Mac, candidate.Mac))
            {
                return $"mac {XenMac.Format(candidate.Mac)} is declared already for {other.Name}";
            }
        }
        return null;
    }
}
