namespace Ring.Shared.Control;

/// <summary>
/// Keys of the admin channel (<c>netbackctl</c> ↔ netbackd, message types AdminRequest/AdminReply):
/// a request names a <c>command</c>; <c>list</c> pages through the vifs (<c>first</c>), each vif's
/// keys under <c>vif-N/</c>; <c>set</c> changes a live vif's <c>rate</c> (xl syntax, or <c>none</c>).
/// </summary>
public static class AdminKeys
{
    public const string Command = "command";
    public const string CommandList = "list";
    public const string CommandSet = "set";

    public const string Vif = "vif";
    public const string Rate = "rate";
    /// <summary><c>rate=none</c>: unlimited, as a vif without <c>rate=</c>.</summary>
    public const string RateNone = "none";

    /// <summary>list: index of the first vif wanted (paging: a record holds at most <see cref="ListPageSize"/> vifs).</summary>
    public const string First = "first";
    public const string VifCount = "vif-count";
    public const string Count = "count";
    public const int ListPageSize = 16;

    // Per vif, under "vif-N/".
    public const string Name = "name";
    public const string DomId = "domid";
    public const string Handle = "handle";
    public const string Queues = "queues";
    public const string Mac = "mac";
    public const string TxPackets = "tx-packets";
    public const string TxBytes = "tx-bytes";
    public const string RxPackets = "rx-packets";
    public const string RxBytes = "rx-bytes";
    public const string TxDrops = "tx-drops";
    public const string SpoofDrops = "spoof-drops";
    public const string RateLimited = "rate-limited";

    public static string ForVif(int index, string key) => $"vif-{index}/{key}";
}
