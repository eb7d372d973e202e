namespace Netback.Daemon.Diagnostics;

/// <summary>Why a peer was refused (the access policy, the handshake bounds); the tag of <c>netback.connections.refused</c>.</summary>
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

    /// <summary>The vif is not declared (or none the uid owns is free), and the uid may not declare one itself.</summary>
    NotDeclared,

    /// <summary>The vif is declared, for another owner.</summary>
    NotOwner,

    /// <summary>A host-side vifspec key (mac, ip, bridge, rate, mtu, vifname, tx-copy) the frontend may not set.</summary>
    HostKey,

    /// <summary>A self-service domid outside the uid's range.</summary>
    DomId,

    /// <summary>An <c>ip=</c> entry outside the uid's prefixes.</summary>
    Ip,

    /// <summary>An MTU outside the uid's range.</summary>
    Mtu,

    /// <summary>As many handshakes pending daemon-wide as Netback:MaxPendingHandshakes (refused at accept).</summary>
    HandshakeLimit,

    /// <summary>The uid has as many handshakes pending as Netback:MaxPendingHandshakesPerUid (refused at accept).</summary>
    UidHandshakeLimit,

    Count,
}
