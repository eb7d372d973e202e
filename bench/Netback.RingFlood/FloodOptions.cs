using System.Globalization;
using Ring.Shared.Rings;

namespace Netback.RingFlood;

/// <summary>The command line of <c>ringflood</c>, parsed and range-checked.</summary>
internal sealed class FloodOptions
{
    public const string Usage = """
        ringflood: floods a netbackd queue through Netfront.Client and prints one JSON line.
          ringflood --socket PATH [--mode tx|rx] [--size BYTES] [--seconds S] [--warmup S]
                    [--queues N] [--ring-page-order K] [--daemon-pid PID] [--zero-copy]
                    [--layout xen|cacheline|cacheline-slot] [--producer-cpu N --consumer-cpu M]
                    [--poll-us N]
          ringflood --socket PATH --vifs K --daemon-pid PID [--seconds S] [--warmup S] [--ring-page-order K] [--layout NAME]
          ringflood --baseline socketpair [--size BYTES] [--seconds S] [--warmup S]
        tx: broadcast frames from the vif's MAC (so anti-spoofing passes them) are copied into granted
            pages (TrySend; --zero-copy: TryBeginSend+CommitSend, the page's Ethernet header written
            once per slot id), pushed once per batch of 64, slots reclaimed from responses. Only
            frames answered NETIF_RSP_OKAY count; any refused frame (ERROR or DROPPED) fails the run:
            the JSON line says "ok":false and why, and the exit status is 3.
        rx: every posted buffer the daemon fills is consumed and re-posted (needs the daemon's
            --Netback:NullRxFrameSize N, or traffic on its TAP).
        --layout: the ring layout asked for; every layout has the same slot count at a ring-page-order.
        --producer-cpu/--consumer-cpu (sched_setaffinity, queue 0): the producer is ringflood's queue
            thread (ringflood-q0), the consumer the daemon's worker (<vif>-q0 of --daemon-pid, needed);
            the same N for both puts them on one core, different ones on two.
        --poll-us N: the frontend's polling window (NetfrontQueueDriver.PollWindow, netfront attach
            --poll-us): after work each queue thread keeps checking its rings for N µs (0..10000)
            before it arms the event index and sleeps; give the daemon --Netback:PollMicroseconds too.
        --vifs K: the scale mode: attaches K vifs (one queue each) from this one process, then reports
            the attach time, the daemon's threads, RSS and CPU while the K vifs idle, and the aggregate
            TX 64 B packets/s of all K flooding at once (bench/lab.sh's scale section).
        socketpair: the naive baseline, one send() and one recv() per frame over an AF_UNIX
            SOCK_SEQPACKET socketpair, on two threads.
        """;

    public FloodMode Mode { get; private set; } = FloodMode.Tx;
    public string SocketPath { get; private set; } = "/run/netback/netback.sock";
    public int FrameSize { get; private set; } = 64;
    public double Seconds { get; private set; } = 5;
    public double WarmupSeconds { get; private set; } = 1;
    public int Queues { get; private set; } = 1;
    public int RingPageOrder { get; private set; }
    public int? DaemonPid { get; private set; }
    public bool ZeroCopy { get; private set; }
    public RingLayout Layout { get; private set; } = RingLayout.Xen;
    public int? ProducerCpu { get; private set; }
    public int? ConsumerCpu { get; private set; }

    /// <summary>The queue threads' polling window in µs (0: none, sleep at once).</summary>
    public int PollMicroseconds { get; private set; }

    /// <summary>The scale mode's vif count (null: one device with <see cref="Queues"/> queues).</summary>
    public int? Vifs { get; private set; }

    /// <summary>Parses <paramref name="args"/>; null with <paramref name="error"/> set when they are wrong.</summary>
    public static FloodOptions? Parse(string[] args, out string? error)
    {
        var o = new FloodOptions();
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (a)
            {
                case "--socket": o.SocketPath = Next() ?? ""; break;
                case "--mode":
                    o.Mode = Next() switch { "tx" => FloodMode.Tx, "rx" => FloodMode.Rx, _ => (FloodMode)(-1) };
                    break;
                case "--baseline":
                    o.Mode = Next() == "socketpair" ? FloodMode.SocketPair : (FloodMode)(-1);
                    break;
                case "--size": o.FrameSize = ParseInt(Next(), 14, 65535, a, ref error); break;
                case "--seconds": o.Seconds = ParseDouble(Next(), 0.1, 3600, a, ref error); break;
                case "--warmup": o.WarmupSeconds = ParseDouble(Next(), 0, 60, a, ref error); break;
                case "--queues": o.Queues = ParseInt(Next(), 1, 64, a, ref error); break;
                case "--ring-page-order": o.RingPageOrder = ParseInt(Next(), 0, 4, a, ref error); break;
                case "--daemon-pid": o.DaemonPid = ParseInt(Next(), 1, int.MaxValue, a, ref error); break;
                case "--zero-copy": o.ZeroCopy = true; break;
                case "--poll-us": o.PollMicroseconds = ParseInt(Next(), 0, 10000, a, ref error); break;
                case "--vifs": o.Vifs = ParseInt(Next(), 1, 4096, a, ref error); break;
                case "--layout":
                    string? name = Next();
                    if (!Ring.Shared.Rings.RingLayoutNames.TryParse(name, out var layout))
                    {
                        error = $"--layout '{name}' must be {Ring.Shared.Rings.RingLayoutNames.Allowed}";
                    }
                    o.Layout = layout;
                    break;
                case "--producer-cpu": o.ProducerCpu = ParseInt(Next(), 0, Math.Min(63, Environment.ProcessorCount - 1), a, ref error); break;
                case "--consumer-cpu": o.ConsumerCpu = ParseInt(Next(), 0, Math.Min(63, Environment.ProcessorCount - 1), a, ref error); break;
                default: error = $"unknown argument {a}"; break;
            }
            if (error is not null)
            {
                return null;
            }
        }
        if (!Enum.IsDefined(o.Mode))
        {
            error = "--mode must be tx or rx, --baseline must be socketpair";
            return null;
        }
        if (o.ZeroCopy && o.FrameSize > Netfront.Client.NetfrontQueue.MaxSlotFrame)
        {
            error = $"--zero-copy sends single-slot frames: --size must be at most {Netfront.Client.NetfrontQueue.MaxSlotFrame}";
            return null;
        }
        if (o.ConsumerCpu is not null && o.DaemonPid is null)
        {
            error = "--consumer-cpu pins the daemon's worker thread: --daemon-pid is required";
            return null;
        }
        if (o.Vifs is not null && (o.Mode != FloodMode.Tx || o.DaemonPid is null || o.ZeroCopy))
        {
            error = "--vifs floods TX (no --mode rx, --baseline or --zero-copy) and needs --daemon-pid";
            return null;
        }
        if (o.Mode != FloodMode.SocketPair && string.IsNullOrEmpty(o.SocketPath))
        {
            error = "--socket is required";
            return null;
        }
        return o;
    }

    private static int ParseInt(string? s, int min, int max, string name, ref string? error)
    {
        if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max)
        {
            return v;
        }
        error = $"{name} must be an integer {min}..{max}";
        return 0;
    }

    private static double ParseDouble(string? s, double min, double max, string name, ref string? error)
    {
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= min && v <= max)
        {
            return v;
        }
        error = $"{name} must be a number {min}..{max}";
        return 0;
    }
}
