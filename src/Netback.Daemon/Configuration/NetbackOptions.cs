using Netback.Daemon.Access;

namespace Netback.Daemon.Configuration;

/// <summary>The daemon's settings (section <c>Netback</c>); validated at start.</summary>
public sealed class NetbackOptions
{
    public const string Section = "Netback";

    /// <summary>Where frontends connect (SOCK_SEQPACKET).</summary>
    public string SocketPath { get; set; } = "/run/netback/netback.sock";

    /// <summary>Octal permission bits of the control socket.</summary>
    public string SocketMode { get; set; } = "0660";

    /// <summary>
    /// Group of the control socket (name or gid). Unset: <c>netback</c> if it exists, else a warning
    /// and the daemon's own group. Set to a group that does not exist: the daemon does not start.
    /// </summary>
    public string? SocketGroup { get; set; }

    /// <summary>Who may connect and what each uid may create (SO_PEERCRED / SO_PEERGROUPS).</summary>
    public AccessOptions Access { get; set; } = new();

    /// <summary><c>multi-queue-max-queues</c>; default min(cores, 4).</summary>
    public int MaxQueues { get; set; } = Math.Min(Environment.ProcessorCount, 4);

    /// <summary><c>max-ring-page-order</c>: 0..4 (1..16 pages per ring).</summary>
    public int MaxRingPageOrder { get; set; } = 4;

    /// <summary>
    /// Vifspec under every vif's (Xen syntax, e.g. <c>mtu=1500</c>): a declaration's keys, then those a
    /// frontend may set, override it key by key; its <c>rate=</c> is a ceiling nobody lifts.
    /// </summary>
    public string DefaultVifSpec { get; set; } = "";

    /// <summary>How long a frontend may take between connect and its Connect message.</summary>
    public int HandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>Advertise <c>feature-split-event-channels</c> (the roadmap's first item).</summary>
    public bool SplitEventChannels { get; set; } = true;

    /// <summary>
    /// Checksum and segmentation offloads (feature-sg, feature-gso-tcpv4/6, feature-ipv6-csum-offload
    /// in Hello; TUNSETOFFLOAD on the TAPs). False turns them off for every vif, as <c>offloads=off</c>.
    /// </summary>
    public bool Offloads { get; set; } = true;

    /// <summary>
    /// Benchmarks only: no TAP behind the vifs. Guest TX frames are validated and translated as
    /// always, then discarded without a syscall; see <see cref="NullRxFrameSize"/> for guest RX. It
    /// measures the rings, notifications and validation alone (bench/: the ring-only flood).
    /// </summary>
    public bool NullDataPath { get; set; }

    /// <summary>
    /// With <see cref="NullDataPath"/>: 0 sends the guest nothing; 60..4096 fills every posted RX
    /// buffer with a frame of that many bytes as fast as the frontend posts buffers.
    /// </summary>
    public int NullRxFrameSize { get; set; }

    /// <summary>
    /// netback's rx_stall_timeout_msecs: a queue whose frontend has posted no RX buffers for this
    /// long while frames wait is stalled, and the vif's carrier goes off until buffers come back.
    /// </summary>
    public int RxStallTimeoutMs { get; set; } = 60_000;

    /// <summary>
    /// netback's rx_drain_timeout_msecs: frames waiting this long for RX buffers are dropped (the TAP's
    /// queue is emptied), so a stuck frontend cannot hold the host's packets.
    /// </summary>
    public int RxDrainTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// Kicks that announce nothing (no request published since the channel's previous kick) taken in
    /// a row before the channel is throttled (XSA-332's late EOI; Linux's spurious_threshold, 1).
    /// </summary>
    public int SpuriousKickThreshold { get; set; } = 1;

    /// <summary>Longest a throttled kick channel stays masked; the delay doubles from 1 ms up to this (Linux: one second).</summary>
    public int SpuriousKickMaxDelayMs { get; set; } = 1000;

    /// <summary>
    /// Spurious kicks in a row that disable the vif (fatal error KickStorm); 0 never does (Linux).
    /// The default, 40, is about 30 s of a storm that never lets up.
    /// </summary>
    public int SpuriousKickLimit { get; set; } = 40;

    /// <summary>
    /// The polling window (µs): after a round that moved frames, a worker keeps looking at its rings and
    /// TAP this long before it arms the event index and sleeps (NAPI busy polling, vhost-net's
    /// busyloop_timeout, QEMU's poll-us). A frame that arrives meanwhile costs no wake-up and no
    /// notification; an idle vif costs nothing (no work, no window). 0 turns it off.
    /// </summary>
    public int PollMicroseconds { get; set; }

    /// <summary>
    /// How queues get threads (<see cref="ThreadModel"/>): <c>per-queue</c> (the roadmap's 1:1, one
    /// worker per queue), <c>pool:N</c> (N workers serve every queue of every vif, each queue attached
    /// for its life to the least-loaded one: netback's old M:N kthreads) or <c>split</c> (two threads per
    /// queue, guest TX and guest RX, as Linux netback's NAPI and guest-rx kthread).
    /// </summary>
    public string Threads { get; set; } = ThreadModel.PerQueueKey;

    /// <summary>
    /// Where each queue's worker runs relative to its frontend: <c>none</c> (the default: the
    /// scheduler decides), <c>same-cpu</c>, <c>other-cpu</c>, <c>same-node</c> or <c>other-node</c>
    /// (<see cref="PlacementPolicy"/>). The frontend's <c>frontend-cpus</c> / <c>frontend-node</c> say
    /// where it runs; without them, or without another node on a one-node machine, a vif is not pinned.
    /// </summary>
    public string Placement { get; set; } = PlacementPolicyNames.None;

    /// <summary>
    /// ring.h's event-index suppression: notify the frontend only when its <c>rsp_event</c> asks, and
    /// arm <c>req_event</c> only before sleeping. False (to measure what it saves) calls the frontend
    /// after every push of responses and keeps <c>req_event</c> at <c>req_cons + 1</c>, so an honest
    /// frontend kicks for every push of requests.
    /// </summary>
    public bool EventSuppression { get; set; } = true;

    /// <summary>Most vifs served at once.</summary>
    public int MaxVifs { get; set; } = 256;

    /// <summary>
    /// Drop guest-TX frames whose source MAC is not the vif's, or (with <c>ip=</c>) whose IP source is
    /// not listed. On by default; Xen leaves this to its hotplug scripts' iptables rules.
    /// </summary>
    public bool AntiSpoofing { get; set; } = true;

    /// <summary>
    /// Vifs declared at boot (the toolstack's decisions): each a domid/devid, its owner and its
    /// host-side vifspec. A frontend names its domid/devid and gets the vif only if it owns it.
    /// </summary>
    public List<VifDeclarationOptions> Vifs { get; } = [];

    /// <summary>
    /// Where runtime declarations (<c>netbackctl vif-add</c>) are kept across restarts
    /// (<c>vifs.json</c>, mode 0600, replaced atomically). Empty: they live in memory only.
    /// </summary>
    public string StateDirectory { get; set; } = "/var/lib/netback";

    /// <summary>
    /// Where hotplug scripts live (Xen's <c>/etc/xen/scripts</c>): a vif's <c>script=</c> (default
    /// <c>vif-bridge</c>) names a file here, which runs as the daemon with <c>online</c> once the vif's
    /// TAP exists and <c>offline</c> before it goes. A script must be a regular file, executable, and
    /// neither it nor this directory writable by group or others.
    /// </summary>
    public string ScriptDirectory { get; set; } = "/etc/netback/scripts";

    /// <summary>
    /// How long one run of a hotplug script may take; then its process group is killed and an
    /// <c>online</c> refuses the vif. Far above an honest run (tens of milliseconds), and below a
    /// frontend's own wait for Connected (netfront: 10 s), so a refused frontend hears why.
    /// </summary>
    public int ScriptTimeoutSeconds { get; set; } = 5;

    /// <summary>The admin socket (<c>netbackctl</c>): mode 0600, uid 0 peers only. Empty disables it.</summary>
    public string AdminSocketPath { get; set; } = "/run/netback/admin.sock";
}
