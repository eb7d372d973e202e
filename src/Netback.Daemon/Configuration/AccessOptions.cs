namespace Netback.Daemon.Configuration;

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

    /// <summary>
    /// Root and the daemon's own uid may connect without a declaration (the next free domid, or the
    /// one they name if undeclared) and set any vifspec key, as before vifs were declared (demos,
    /// tests). False holds them to their declarations like anyone. Either way a declared vif, its
    /// name and its MAC are not theirs to take, and an operator's <c>rate=</c> stays a ceiling.
    /// </summary>
    public bool RootSelfService { get; set; } = true;

    /// <summary>Per-uid limits; they apply to the uid they name, root included.</summary>
    public List<AccessRule> Rules { get; } = [];
}
