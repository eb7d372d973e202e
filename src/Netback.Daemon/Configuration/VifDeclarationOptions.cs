namespace Netback.Daemon.Configuration;

/// <summary>
/// One vif the operator declares at boot (an entry of <c>Netback:Vifs</c>), as <c>xl network-attach</c>
/// does: its ids, who may connect to it, and its host-side settings. Validated at start.
/// </summary>
public sealed class VifDeclarationOptions
{
    /// <summary>The domid a frontend names to get this vif: 1..32751.</summary>
    public int? DomId { get; set; }

    /// <summary>The device id (<c>handle</c>): 0..255, default 0.</summary>
    public int DevId { get; set; }

    /// <summary>The owner's uid (SO_PEERCRED). Uid, Gid or both; either one owns it.</summary>
    public uint? Uid { get; set; }

    /// <summary>The owning group: a peer whose primary or a supplementary gid it is owns the vif.</summary>
    public uint? Gid { get; set; }

    /// <summary>
    /// The vif's host-side settings in xl's vifspec syntax: <c>mac=</c>, <c>ip=</c>, <c>bridge=</c>,
    /// <c>rate=</c>, <c>mtu=</c>, <c>vifname=</c>, <c>offloads=</c>, <c>tx-copy=</c>. Empty: the
    /// defaults, a MAC derived from the ids and the name <c>vif&lt;domid&gt;.&lt;devid&gt;</c>.
    /// </summary>
    public string? Spec { get; set; }
}
