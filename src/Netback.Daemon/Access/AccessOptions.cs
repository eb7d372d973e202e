namespace Netback.Daemon.Access;

/// <summary>
/// Who may use the control socket and what they may create (section <c>Netback:Access</c>);
/// validated at start by <see cref="AccessOptionsValidator"/>. Root and the daemon's own uid always
/// pass the uid/gid check: they could open the TAPs or ptrace the daemon anyway.
/// </summary>
public sealed class AccessOptions
{
    /// <summary>Uids allowed to connect. With both lists empty, the socket group is allowed.</summary>
    public List<uint> AllowedUids { get; } = [];

    /// <summary>Gids allowed to connect: the peer's primary gid or any supplementary group counts.</summary>
    public List<uint> AllowedGids { get; } = [];

    /// <summary>Vifs one uid may hold at once, unless a rule says otherwise (root and the daemon's uid are exempt).</summary>
    public int MaxVifsPerUid { get; set; } = 16;

    /// <summary>Per-uid limits; they apply to the uid they name, root included.</summary>
    public List<AccessRule> Rules { get; } = [];
}

/// <summary>One uid's limits: vif count, and globs (<c>*</c>, <c>?</c>) its MACs, vif names and bridges must match.</summary>
public sealed class AccessRule
{
    public uint? Uid { get; set; }

    /// <summary>Overrides <see cref="AccessOptions.MaxVifsPerUid"/> for this uid; 0 lets it connect but create nothing.</summary>
    public int? MaxVifs { get; set; }

    /// <summary>MAC globs such as <c>00:16:3e:*</c>, matched case-insensitively; empty: any MAC.</summary>
    public List<string> Macs { get; } = [];

    /// <summary>Vif (TAP) name globs such as <c>vif1.*</c> or <c>web*</c>; empty: any name.</summary>
    public List<string> VifNames { get; } = [];

    /// <summary>
    /// Bridge globs the vifspec's <c>bridge=</c> must match; empty: any bridge. A vif without
    /// <c>bridge=</c> joins none and always passes.
    /// </summary>
    public List<string> Bridges { get; } = [];
}
