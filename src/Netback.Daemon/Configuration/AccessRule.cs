namespace Netback.Daemon.Configuration;

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
