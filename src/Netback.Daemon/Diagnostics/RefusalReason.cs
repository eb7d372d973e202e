namespace Netback.Daemon.Diagnostics;

/// <summary>Why the access policy refused a peer; the tag of <c>netback.connections.refused</c>.</summary>
internal enum RefusalReason
{
    /// <summary>Neither the uid nor any of its groups is allowed (refused at accept).</summary>
    Uid,

    /// <summary>The uid holds as many vifs as its limit.</summary>
    VifLimit,

    /// <summary>The vif's MAC matches none of the uid's MAC globs.</summary>
    Mac,

    /// <summary>The vif's name matches none of the uid's vif-name globs.</summary>
    VifName,

    /// <summary>The vifspec's bridge matches none of the uid's bridge globs.</summary>
    Bridge,

    Count,
}
