namespace Ring.Shared.Control;

/// <summary>
/// Keys of the admin channel (<c>netbackctl</c> ↔ netbackd, message types AdminRequest/AdminReply):
/// a request names a <c>command</c>; <c>list</c> pages through the vifs (<c>first</c>), each vif's
/// keys under <c>vif-N/</c>; <c>set</c> changes a vif's <c>rate</c> (xl syntax, or <c>none</c>), live
/// and in its declaration; <c>vif-add</c>, <c>vif-del</c> and <c>vif-list</c> manage the declarations
/// (the toolstack's <c>network-attach</c>, <c>network-detach</c>, <c>network-list</c>); <c>show</c>
/// pages through one vif's nodes (<c>node-N</c>, <c>value-N</c>) and <c>stats</c> through the queues'
/// counters (<c>q-N/</c>).
/// </summary>
public static class AdminKeys
{
    public const string Command = "command";
    public const string CommandList = "list";
    public const string CommandSet = "set";
    public const string CommandVifAdd = "vif-add";
    public const string CommandVifDel = "vif-del";
    public const string CommandVifList = "vif-list";
    public const string CommandShow = "show";
    public const string CommandStats = "stats";

    /// <summary>vif-add: the owner (either or both), and the host-side vifspec (xl syntax, may be empty).</summary>
    public const string Uid = "uid";
    public const string Gid = "gid";
    public const string Spec = "spec";

    /// <summary>vif-del: <c>1</c> disconnects a connected vif (its frontend is told Closing) instead of refusing.</summary>
    public const string Force = "force";

    /// <summary>vif-del's reply: <c>1</c> when a connected vif was disconnected.</summary>
    public const string Disconnected = "disconnected";

    /// <summary>vif-list, per declaration: <c>uid 1000</c>, <c>gid 27</c> or both.</summary>
    public const string Owner = "owner";

    /// <summary>vif-list: <c>configuration</c> (Netback:Vifs) or <c>runtime</c> (vif-add, kept in the state file).</summary>
    public const string Source = "source";

    /// <summary>vif-list: <c>1</c> while a frontend is connected to the declared vif.</summary>
    public const string Connected = "connected";

    /// <summary>set's reply: <c>1</c> when a declaration was updated too (a reconnect keeps the rate).</summary>
    public const string Declared = "declared";

    /// <summary>vif-list: declarations per reply (their specs are longer than list's counters).</summary>
    public const int DeclarationPageSize = 8;

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

    /// <summary>The thread model serving the vif (<c>per-queue</c>, <c>split</c>, <c>pool:N (worker W)</c>).</summary>
    public const string Threads = "threads";
    public const string Mac = "mac";
    public const string TxPackets = "tx-packets";
    public const string TxBytes = "tx-bytes";
    public const string RxPackets = "rx-packets";
    public const string RxBytes = "rx-bytes";
    public const string TxDrops = "tx-drops";
    public const string SpoofDrops = "spoof-drops";
    public const string RateLimited = "rate-limited";

    public static string ForVif(int index, string key) => $"vif-{index}/{key}";

    // show vif=NAME [first=N]: the vif's nodes as xenstore-ls would list them, a page at a time. Each
    // node is a path (summary/…, backend/…, frontend/…, queue-N/…) and a value, printable already.
    /// <summary>show: nodes in the whole listing (a page holds <see cref="Count"/> of them from <see cref="First"/>).</summary>
    public const string Total = "total";

    public static string Node(int index) => $"node-{index}";

    public static string NodeValue(int index) => $"value-{index}";

    /// <summary>show: the paths' first components.</summary>
    public const string SummaryNode = "summary";
    public const string BackendNode = "backend";
    public const string FrontendNode = "frontend";

    // stats [vif=NAME] [first=N]: every queue's counters (of one vif, or of all), a page of queues at a time.
    /// <summary>stats: queues in the whole listing.</summary>
    public const string QueueCount = "queue-count";

    /// <summary>stats: when the page's counters were read, on the daemon's monotonic clock (ns): per-second figures divide by its difference.</summary>
    public const string SampledAtNs = "sampled-at-ns";

    /// <summary>stats, per queue: its index in its vif.</summary>
    public const string Queue = "queue";

    /// <summary>stats: queues per reply (about 40 counters each).</summary>
    public const int StatsPageSize = 4;

    public const string NotificationsSent = "notifications-sent";
    public const string NotificationsReceived = "notifications-received";
    public const string Wakeups = "wakeups";
    /// <summary>Kicks that announced no request (Linux's spurious events, XSA-332).</summary>
    public const string WakeupsSpurious = "wakeups-spurious";
    /// <summary>Every drop counter's key starts so: <c>drops/tx-runt</c>, <c>drops/spoofed-source-mac</c>, <c>drops/rx-stall</c>…</summary>
    public const string DropsPrefix = "drops/";

    public static string ForQueue(int index, string key) => $"q-{index}/{key}";
}
