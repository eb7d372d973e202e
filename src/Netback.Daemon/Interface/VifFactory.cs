using Microsoft.Extensions.Logging;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Memory;
using Ring.Shared.Rings;
using Ring.Shared.Tap;
using static Tmds.Linux.LibC;

namespace Netback.Daemon.Interface;

/// <summary>
/// Builds a connected vif from its plan (interface.c's <c>xenvif_connect_data</c>): map the grant
/// area, check and take the eventfds, create and configure the TAP, set up the queues. On any
/// failure everything made so far is released.
/// </summary>
internal sealed unsafe class VifFactory
{
    private readonly IVifTapProvider _taps;
    private readonly IDataPath _dataPath;
    private readonly ILogger _logger;

    public VifFactory(IVifTapProvider taps, IDataPath dataPath, ILogger logger)
    {
        _taps = taps;
        _dataPath = dataPath;
        _logger = logger;
    }

    /// <summary>Is a network device of this name present already?</summary>
    public bool NameTaken(string name) => _taps.Exists(name);

    /// <param name="fds">The fds received with Connect: what the vif keeps is taken (set to null), the rest stays the caller's.</param>
    /// <param name="onBroken">See <see cref="Vif"/>: a non-blocking signal to the session.</param>
    public Vif Create(VifPlan plan, FileDescriptorHandle?[] fds, Action onBroken)
    {
        var vif = new Vif(plan, _dataPath, _logger, onBroken);
        GrantArea? grants = null;
        TapDevice? tap = null;
        var queues = new List<VifQueue>();
        var channels = new List<QueueEventChannels>();
        try
        {
            grants = GrantArea.Attach(Take(fds, plan.GrantAreaFd), plan.GrantPages);
            foreach (var q in plan.Queues)
            {
                var txKick = TakeEventFd(fds, q.TxKick);
                var txCall = TakeEventFd(fds, q.TxCall);
                var rxKick = q.RxKick == q.TxKick ? txKick : TakeEventFd(fds, q.RxKick);
                var rxCall = q.RxCall == q.TxCall ? txCall : TakeEventFd(fds, q.RxCall);
                channels.Add(new QueueEventChannels(txKick, txCall, rxKick, rxCall));
            }

            tap = _taps.Create(plan.Identity.Name, plan.Queues.Count, plan.Mtu, plan.Bridge, plan.Offloads.Rx);

            var txGeometry = RingGeometry.For(RingKind.Tx, plan.Layout, plan.RingPageOrder);
            var rxGeometry = RingGeometry.For(RingKind.Rx, plan.Layout, plan.RingPageOrder);
            for (int i = 0; i < plan.Queues.Count; i++)
            {
                var q = plan.Queues[i];
                queues.Add(new VifQueue(vif, i, grants.Base, (uint)plan.DataPageFirst, (uint)plan.GrantPages,
                    txGeometry, q.TxRingRef, rxGeometry, q.RxRingRef, channels[i], tap.Queues[i]));
            }
            vif.Attach(grants, tap, queues.ToArray());
            return vif;
        }
        catch
        {
            foreach (var c in channels)
            {
                c.Dispose();
            }
            tap?.Dispose();
            grants?.Dispose();
            throw;
        }
    }

    private static FileDescriptorHandle Take(FileDescriptorHandle?[] fds, int index)
    {
        var fd = fds[index] ?? throw new VifSetupException($"fd {index} was already taken");
        fds[index] = null;
        return fd;
    }

    /// <summary>
    /// Takes an fd that must be an eventfd, and makes it non-blocking: the worker drains it after
    /// epoll reports it readable and must never block there, whatever the frontend does with it.
    /// </summary>
    private static EventChannel TakeEventFd(FileDescriptorHandle?[] fds, int index)
    {
        var fd = fds[index] ?? throw new VifSetupException($"fd {index} was already taken");
        using (var lease = new HandleLease(fd))
        {
            string? target = new FileInfo($"/proc/self/fd/{lease.Value}").LinkTarget;
            if (target != "anon_inode:[eventfd]")
            {
                throw new VifSetupException($"fd {index} is not an eventfd ({target ?? "unknown"})");
            }
            int flags = fcntl(lease.Value, F_GETFL);
            if (flags < 0 || fcntl(lease.Value, F_SETFL, flags | O_NONBLOCK) < 0)
            {
                throw new VifSetupException($"fd {index}: cannot make the eventfd non-blocking");
            }
        }
        fds[index] = null;
        return new EventChannel(fd);
    }
}
