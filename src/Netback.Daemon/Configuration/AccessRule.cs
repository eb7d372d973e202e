namespace Netback.Daemon.Configuration;

/// <summary>
/// One uid's limits: vif count; which host-side vifspec keys its frontends may set (<see cref="Keys"/>)
/// and whether it may declare vifs itself (<see cref="SelfService"/>, for development); and what those
/// values may be: globs (<c>*</c>, <c>?</c>) for MACs, vif names and bridges, prefixes for addresses,
/// a range for the MTU.
/// </summary>
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

    /// <summary>
    /// Development: the uid may connect to an undeclared domid in <see cref="DomIds"/> (or, naming
    /// none, the first free one), declaring the vif on the fly; the result is judged against every
    /// glob, prefix and range of this rule.
    /// </summary>
    public bool SelfService { get; set; }

    /// <summary>Domids the uid may declare on the fly, e.g. <c>100-199,300</c>; required with <see cref="SelfService"/>.</summary>
    public string? DomIds { get; set; }

    /// <summary>
    /// Host-side vifspec keys the uid's frontends may set (<c>mac</c>, <c>ip</c>, <c>bridge</c>,
    /// <c>rate</c>, <c>mtu</c>, <c>vifname</c>, <c>tx-copy</c>, <c>script</c>): on a self-service vif, and on a
    /// declared one where the declaration leaves the key unset. An operator's <c>rate=</c> stays a ceiling;
    /// <c>script</c> lets the uid pick any script in <c>Netback:ScriptDirectory</c>, which then runs as the daemon.
    /// </summary>
    public List<string> Keys { get; } = [];

    /// <summary>
    /// Prefixes (<c>10.9.0.0/24</c>, <c>fd09::/64</c>) every <c>ip=</c> entry of the uid's must lie
    /// in; on a self-service vif <c>ip=</c> is then required. Empty: any.
    /// </summary>
    public List<string> Ips { get; } = [];

    /// <summary>MTUs the uid may set, e.g. <c>1280-9000</c>; empty: any (a bridge's MTU is never lowered, whoever asks).</summary>
    public string? Mtu { get; set; }
}
