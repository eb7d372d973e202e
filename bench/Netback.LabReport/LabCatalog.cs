namespace Netback.LabReport;

/// <summary>
/// The lab's sections in report order: each with the roadmap's words it answers (quoted from "Xen
/// network: the future plan") and the question as measured here.
/// </summary>
internal static class LabCatalog
{
    public static readonly IReadOnlyList<SectionInfo> Sections =
    [
        new("fairness", "Fairness: 1:1 threads against a pool",
            "1:1 model netback: … the fairness among vifs is somewhat poor as vifs are statically attached to one kthread … "
            + "The idea behind the 1:1 model is to create one kthread for each vif and trust backend scheduler to do the right thing.",
            "With 8 vifs all flooding, do one thread per queue (1:1) give fairer shares (Jain's index) than a pool of 1 or 2 "
            + "threads or split TX/RX threads, at what aggregate throughput, and how long does a light 9th vif's ping wait meanwhile?",
            [
                new("jain", "Jain's fairness index over 8 vifs", "index", true, 3),
                new("aggregate", "Aggregate throughput of 8 vifs", "Gbit/s", true),
                new("min_vif", "Slowest vif's throughput", "Gbit/s", true, 3),
                new("rtt_p50", "Victim vif ping RTT p50", "µs", false, 0),
                new("rtt_p99", "Victim vif ping RTT p99", "µs", false, 0),
            ]),
        new("events", "Split against single event channels",
            "Split event channels: … there's only one event channel … used by frontend to do TX notification and RX buffer allocation "
            + "notification … and by backend to do TX completion and RX notification … TX and RX interferes with each other.",
            "Does splitting TX and RX onto two event channels (with split TX/RX threads where built) raise throughput and lower "
            + "notifications and wake-ups per packet?",
            [
                new("throughput", "Throughput (TCP: Gbit/s, UDP 64 B: Mpps)", "Gbit/s or Mpps", true),
                new("notif_per_pkt", "Backend notifications (sent + received) per packet", "per packet", false, 4),
                new("wakeups_per_pkt", "Backend worker wake-ups per packet", "per packet", false, 4),
            ]),
        new("ring-order", "Multi-page rings: ring-page-order 0..4",
            "Multi-page ring: The size of TX / RX ring is only one page … we can only have ~898K in flight data on the ring … "
            + "possibly make the ring a bottleneck … can benefit bulk transfer.",
            "Does a bigger ring (order 0..4) raise TCP throughput and cut drops under bursty UDP, and what does it cost in memory per vif?",
            [
                new("gbps", "Throughput received", "Gbit/s", true),
                new("lost_pct", "UDP loss (iperf3 receiver)", "% of datagrams", false),
                new("drops", "Backend drops (all reasons) per run", "frames", false, 0),
                new("mem_kib", "Memory per vif (daemon RSS delta at attach + granted ring pages)", "KiB", false, 0),
            ]),
        new("layout", "Ring layouts: indices and slots on their own cache lines",
            "Separate ring indices: Producer and consumer index is on the same cache line … compete for the same cacheline causing "
            + "a ping-pong between sockets. Cache alignment for ring request / response.",
            "Ring-only (no TAP), at equal slot counts: do the cacheline layouts move more packets per second and spend fewer CPU ns "
            + "per packet than Xen's sring, with producer and consumer on the same core and on different cores?",
            [
                new("mpps", "Ring-only TX 64 B", "Mpps", true, 3),
                new("cpu_ns_per_pkt", "CPU per packet (frontend + daemon)", "ns", false, 0),
            ]),
        new("txcopy", "TX copy: direct, bounce or map",
            "Zero-copy TX path: … we are now also considering whether copying is really such a bad idea – modern hardware copies data "
            + "blazingly fast and TLB shot-down required for mapping is expensive … The only way to verify … is to hack a prototype.",
            "Which TX path (copy from the granted page straight to the TAP, copy through a bounce buffer, or map) spends the least CPU "
            + "per packet and moves the most at 64 B, 1500 B and 64 KiB frames?",
            [
                new("cpu_ns_per_pkt", "netbackd + netfront CPU per frame the backend moved (TX + RX)", "ns", false, 0),
                new("mbps", "Throughput received", "Mbit/s", true, 0),
            ]),
        new("notifications", "Notifications: suppression, polling, completions, TAP batching",
            "An unexpected side effect of this new prototype is that it also reveals some problem in notification scheme – DomU TX "
            + "sends too many notifications than necessary. We need to solve the notification problem before moving on.",
            "Which of event-index suppression, a polling window (0..200 µs), fewer TX completion events and batched TAP I/O cut "
            + "notifications and wake-ups per packet, and at what cost in RTT and CPU per GB?",
            [
                new("notif_per_pkt", "Backend notifications (sent + received) per packet", "per packet", false, 4),
                new("wakeups_per_pkt", "Backend worker wake-ups per packet", "per packet", false, 4),
                new("rtt_p50", "ping RTT p50", "µs", false, 0),
                new("cpu_s_per_gb", "netbackd + netfront CPU per GB (TCP)", "CPU-s/GB", false),
                new("gbps", "Throughput (TCP)", "Gbit/s", true),
            ]),
        new("placement", "Placement: frontend and backend on the same CPU or node",
            "Affinity of FE / BE on the same NUMA node: … the vCPU in Dom0 where the backend runs is kept on the same NUMA node of the "
            + "vCPUs of the DomU (where the frontend runs), for improved locality and, hence, performance.",
            "Does placing the backend's workers beside the frontend's threads (same CPU, same node, another node, another CPU) change "
            + "throughput, RTT and CPU per GB?",
            [
                new("gbps", "Throughput (TCP)", "Gbit/s", true),
                new("rtt_p50", "ping RTT p50", "µs", false, 0),
                new("cpu_s_per_gb", "netbackd + netfront CPU per GB (TCP)", "CPU-s/GB", false),
            ]),
        new("scale", "Scale: 1 to 500 vifs on one daemon",
            "1:1 model netback: … create one kthread for each vif … this model is also prerequisite for implementing multi-queue. "
            + "Multi-queue vif: This should help vifs scale better.",
            "How do attach time, the daemon's threads, memory and idle CPU grow per vif from 1 to 500 vifs, and how many ring-only "
            + "packets/s do they move together, with one thread per queue and with a pool of 2?",
            [
                new("agg_mpps", "Aggregate ring-only TX 64 B", "Mpps", true, 3),
                new("attach_ms_per_vif", "Attach time per vif", "ms", false),
                new("threads", "Daemon threads", "threads", false, 0),
                new("rss_kib_per_vif", "Daemon RSS per vif", "KiB", false, 0),
                new("idle_cpu_pct_per_vif", "Daemon idle CPU per vif", "% of a CPU", false, 4),
            ]),
    ];
}
