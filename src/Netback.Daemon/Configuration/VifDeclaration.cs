using System.Globalization;

namespace Netback.Daemon.Configuration;

/// <summary>
/// A vif the operator declared (the toolstack's backend node: what <c>xl network-attach</c> writes
/// before the guest's netfront appears): its ids, its owner and its host-side settings, parsed and
/// checked once. <see cref="Spec"/> is what the operator wrote; <see cref="Mac"/> is the operator's
/// MAC or, without one, a MAC derived from the ids, so the vif keeps it across reconnects and restarts.
/// </summary>
internal sealed record VifDeclaration
{
    /// <summary>DOMID_FIRST_RESERVED is 0x7FF0: domids above it are Xen's own.</summary>
    public const int MaxDomId = 0x7FEF;

    public const int MaxDevId = 255;

    public required int DomId { get; init; }

    public required int DevId { get; init; }

    public uint? Uid { get; init; }

    public uint? Gid { get; init; }

    public required VifSpec Spec { get; init; }

    public VifDeclarationSource Source { get; init; }

    /// <summary>The vif's MAC: <c>mac=</c>, or <see cref="XenMac.ForVif"/> of its ids.</summary>
    public System.Net.NetworkInformation.PhysicalAddress Mac => Spec.Mac ?? XenMac.ForVif(DomId, DevId);

    /// <summary>The vif's netdev name: <c>vifname=</c>, or <c>vif&lt;domid&gt;.&lt;devid&gt;</c>.</summary>
    public string Name => Spec.VifName ?? VifNames.Generated(DomId, DevId);

    /// <summary>Who owns it, for listings: <c>uid 1000</c>, <c>gid 27</c> or both.</summary>
    public string Owner => (Uid, Gid) switch
    {
        ({ } u, { } g) => string.Create(CultureInfo.InvariantCulture, $"uid {u} or gid {g}"),
        ({ } u, null) => string.Create(CultureInfo.InvariantCulture, $"uid {u}"),
        (null, { } g) => string.Create(CultureInfo.InvariantCulture, $"gid {g}"),
        _ => "nobody",
    };

    /// <summary>Checks and parses one declaration; <paramref name="error"/> says what is wrong, without the key's prefix.</summary>
    public static bool TryCreate(int? domId, int devId, uint? uid, uint? gid, string? spec, VifDeclarationSource source,
        out VifDeclaration? declaration, out string? error)
    {
        declaration = null;
        if (domId is not { } d || d is < 1 or > MaxDomId)
        {
            error = $"DomId must be 1..{MaxDomId} (got {(domId is { } shown ? shown.ToString(CultureInfo.InvariantCulture) : "none")})";
            return false;
        }
        if (devId is < 0 or > MaxDevId)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"DevId must be 0..{MaxDevId} (got {devId})");
            return false;
        }
        if (uid is null && gid is null)
        {
            error = "needs an owner: Uid, Gid or both";
            return false;
        }
        if (!VifSpec.TryParse(spec, out var parsed, out string? specError))
        {
            error = $"Spec: {specError}";
            return false;
        }
        if (parsed.VifName is { } name && VifNames.IsAnotherVifsName(name, d, devId))
        {
            error = $"Spec: vifname {name} has the form of another vif's generated name (vif<domid>.<devid>)";
            return false;
        }
        declaration = new VifDeclaration
        {
            DomId = d,
            DevId = devId,
            Uid = uid,
            Gid = gid,
            Spec = parsed,
            Source = source,
        };
        error = null;
        return true;
    }
}
