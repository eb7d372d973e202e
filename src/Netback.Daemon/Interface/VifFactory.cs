using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Memory;
using Ring.Shared.Rings;
using Ring.Shared.Tap;

namespace Netback.Daemon.Interface;

/// <summary>
/// Builds a connected vif from its plan (interface.c's <c>xenvif_connect_data</c>): map the grant
/// area, check and take the eventfds and set up the notifiers of their calls, create and configure the
/// TAP, set up the queues. On any failure everything made so far is released at once, and every fd
/// not taken stays in the caller's array, which the caller closes at once too: a refused fd never
/// waits for a finalizer (a refused 1 GiB memfd would hold its memory until the next GC).
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

    /// <param name="fds">
    /// The fds received with Connect: what the vif keeps is taken (set to null) once it is accepted;
    /// the rest, refused ones included, stays the caller's to close.
    /// </param>
    /// <param name="onBroken">See <see cref="Vif"/>: a non-blocking signal to the session.</param>
    public Vif Create(VifPlan plan, FileDescriptorHandle?[] fds, Action onBroken)
    {
        var hotplug = _taps.RunsHotplugScripts
            ? new VifHotplug(plan.Script, HotplugEnvironment.For(plan), plan.Identity.Name, _logger)
            : null;
        var vif = new Vif(plan, _dataPath, _logger, onBroken, hotplug);
        GrantArea? grants = null;
        TapDevice? tap = null;
        var owned = new List<IDisposable>(); // eventfds taken and notifiers made, released on failure
        var queues = new List<VifQueue>();
        try
        {
            // GrantArea.Attach takes the fd only when it accepts it; refused, it stays in fds.
            var area = fds[plan.GrantAreaFd] ?? throw new VifSetupException($"fd {plan.GrantAreaFd} was already taken");
            grants = GrantArea.Attach(area, plan.GrantPages);
            fds[plan.GrantAreaFd] = null;

            var channels = new List<(QueueEventChannels Channels, ICallNotifier Tx, ICallNotifier Rx)>();
            foreach (var q in plan.Queues)
            {
                var txKick = TakeEventFd(fds, q.TxKick, owned);
                var txCall = TakeEventFd(fds, q.TxCall, owned);
                var rxKick = q.RxKick == q.TxKick ? txKick : TakeEventFd(fds, q.RxKick, owned);
                var rxCall = q.RxCall == q.TxCall ? txCall : TakeEventFd(fds, q.RxCall, owned);
                var txNotifier = Notifier(txCall, owned);
                // A notifier belongs to one thread: with two threads per queue, a single call channel
                // gets one notifier per direction (two submissions rings on the same eventfd).
                var rxNotifier = ReferenceEquals(rxCall, txCall) && !_dataPath.ThreadPerDirection ? txNotifier : Notifier(rxCall, owned);
                channels.Add((new QueueEventChannels(txKick, txCall, rxKick, rxCall), txNotifier, rxNotifier));
            }

            // Before the TAP exists, so a refusal leaves nothing behind: the bridge vif-bridge will use.
            string? bridge = plan.Script.JoinsLinuxBridge ? plan.Bridge : null;
            tap = _taps.Create(plan.Identity.Name, plan.Queues.Count, plan.Mtu, bridge, plan.Offloads.Rx);

            var txGeometry = RingGeometry.For(RingKind.Tx, plan.Layout, plan.RingPageOrder);
            var rxGeometry = RingGeometry.For(RingKind.Rx, plan.Layout, plan.RingPageOrder);
            for (int i = 0; i < plan.Queues.Count; i++)
            {
                var q = plan.Queues[i];
                var (c, txN, rxN) = channels[i];
                queues.Add(new VifQueue(vif, i, grants.Base, (uint)plan.DataPageFirst, (uint)plan.GrantPages,
                    txGeometry, q.TxRingRef, rxGeometry, q.RxRingRef, c, txN, rxN, tap.Queues[i]) { GrantFd = grants.Fd });
            }
            vif.Attach(grants, tap, queues.ToArray());
            return vif;
        }
        catch
        {
            for (int i = owned.Count - 1; i >= 0; i--)
            {
                owned[i].Dispose();
            }
            tap?.Dispose();
            grants?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes an fd that must be an eventfd (it stays in <paramref name="fds"/> when it is not). Its
    /// flags are left as they are: the worker neither reads nor writes it (kicks are heard through
    /// epoll, calls signalled by the kernel), so O_NONBLOCK, which the frontend can change at any
    /// time on the description it shares with us, does not matter.
    /// </summary>
    private static EventChannel TakeEventFd(FileDescriptorHandle?[] fds, int index, List<IDisposable> owned)
    {
        var fd = fds[index] ?? throw new VifSetupException($"fd {index} was already taken");
        using (var lease = new HandleLease(fd))
        {
            string? target = new FileInfo($"/proc/self/fd/{lease.Value}").LinkTarget;
            if (target != "anon_inode:[eventfd]")
            {
                throw new VifSetupException($"fd {index} is not an eventfd ({target ?? "unknown"})");
            }
        }
        fds[index] = null;
        var channel = new EventChannel(fd);
        owned.Add(channel);
        return channel;
    }

    /// <summary>What signals the call eventfd <paramref name="call"/> (<see cref="CallNotifier.Preferred"/>).</summary>
    private static ICallNotifier Notifier(EventChannel call, List<IDisposable> owned)
    {
        try
        {
            var notifier = CallNotifier.Create(call.Handle);
            owned.Add(notifier);
            return notifier;
        }
        catch (Win32Exception e)
        {
            throw new VifSetupException($"cannot set up the call notification ({CallNotifier.Name(CallNotifier.Preferred)}): {e.Message}");
        }
    }
}
