namespace Netback.Daemon.Configuration;

/// <summary>The names of <see cref="PlacementPolicy"/> in configuration, logs and <c>netbackctl show</c>.</summary>
public static class PlacementPolicyNames
{
    public const string None = "none";
    public const string SameCpu = "same-cpu";
    public const string OtherCpu = "other-cpu";
    public const string SameNode = "same-node";
    public const string OtherNode = "other-node";

    /// <summary>For error messages: every accepted name.</summary>
    public const string All = "none, same-cpu, other-cpu, same-node or other-node";

    public static bool TryParse(string? value, out PlacementPolicy policy)
    {
        (bool ok, policy) = value switch
        {
            None => (true, PlacementPolicy.None),
            SameCpu => (true, PlacementPolicy.SameCpu),
            OtherCpu => (true, PlacementPolicy.OtherCpu),
            SameNode => (true, PlacementPolicy.SameNode),
            OtherNode => (true, PlacementPolicy.OtherNode),
            _ => (false, PlacementPolicy.None),
        };
        return ok;
    }

    public static string ToKey(this PlacementPolicy policy) => policy switch
    {
        PlacementPolicy.SameCpu => SameCpu,
        PlacementPolicy.OtherCpu => OtherCpu,
        PlacementPolicy.SameNode => SameNode,
        PlacementPolicy.OtherNode => OtherNode,
        _ => None,
    };
}
