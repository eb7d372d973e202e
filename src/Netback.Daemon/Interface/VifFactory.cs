using System.Net.NetworkInformation;
using Microsoft.Extensions.Logging;
using Netback.Daemon.Configuration;
using Netback.Daemon.Xenbus;
using Ring.Shared.Abi;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Memory;
using Ring.Shared.Rings;
using Ring.Shared.Tap;
using static Tmds.Linux.LibC;

namespace Netback.Daemon.Interface;

/// <summary>
/// Builds a connected vif from a validated Connect (interface.c's <c>xenvif_connect_data</c>):
/// map the grant area, check and take the eventfds, create and configure the TAP, set up the
/// queues. On any failure everything made so far is released.
/// </summary>
internal static unsafe class VifFactory
{
    public static Vif Create(ConnectRequest request, FileDescriptorHandle?[] fds, VifIdentity identity, VifSpec spec,
        int defaultMtu, bool offloadsAllowed, IVifTapProvider taps, ILogger logger, Action<string> onBroken)
    {
        var mac = spec.Mac ?? VifSpec.RandomXenMac();
        int mtu = spec.Mtu ?? defaultMtu;
        var offloads = VifOffloads.For(offloadsAllowed && spec.Offloads != false, request.FrontendRxFeatures,
            spec.TxCopy ?? TxCopyMode.Direct);
        var vif = new Vif(identity, mac, mtu, offloads, logger, onBroken);
        GrantArea? grants = null;
        TapDevice? tap = null;
        var queues = new List<VifQueue>();
        var channels = new List<QueueEventChannels>();
        try
        {
            grants = GrantArea.Attach(Take(fds, request.GrantAreaFd), request.GrantPages);
            foreach (var q in request.Queues)
            {
                var txKick = TakeEventFd(fds, q.TxKick);
                var txCall = TakeEventFd(fds, q.TxCall);
                var rxKick = q.RxKick == q.TxKick ? txKick : TakeEventFd(fds, q.RxKick);
                var rxCall = q.RxCall == q.TxCall ? txCall : TakeEventFd(fds, q.RxCall);
                channels.Add(new QueueEventChannels(txKick, txCall, rxKick, rxCall));
            }

            tap = taps.Create(identity.Name, request.NumQueues, mtu, spec.Bridge, offloads.Rx);

            var txGeometry = RingGeometry.For(RingKind.Tx, request.Layout, request.RingPageOrder);
            var rxGeometry = RingGeometry.For(RingKind.Rx, request.Layout, request.RingPageOrder);
            for (int i = 0; i < request.NumQueues; i++)
            {
                var q = request.Queues[i];
                queues.Add(new VifQueue(vif, i, grants.Base, (uint)request.DataPageFirst, (uint)request.GrantPages,
                    txGeometry, q.TxRingRef, rxGeometry, q.RxRingRef, channels[i], tap.Queues[i],
                    (taps as NullTapProvider)?.RxFrameSize));
            }
            vif.Attach(grants, tap, queues.ToArray());
            return vif;
        }
        catch
        {
            foreach (var q in queues)
            {
                q.Dispose();
            }
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
        var fd = fds[index] ?? throw new Ring.Shared.Control.ControlProtocolException($"fd {index} was already taken");
        fds[index] = null;
        return fd;
    }

    /// <summary>
    /// Takes an fd that must be an eventfd, and makes it non-blocking: the worker drains it after
    /// epoll reports it readable and must never block there, whatever the frontend does with it.
    /// </summary>
    private static EventChannel TakeEventFd(FileDescriptorHandle?[] fds, int index)
    {
        var fd = fds[index] ?? throw new Ring.Shared.Control.ControlProtocolException($"fd {index} was already taken");
        using (var lease = new HandleLease(fd))
        {
            string? target = new FileInfo($"/proc/self/fd/{lease.Value}").LinkTarget;
            if (target != "anon_inode:[eventfd]")
            {
                throw new Ring.Shared.Control.ControlProtocolException($"fd {index} is not an eventfd ({target ?? "unknown"})");
            }
            int flags = fcntl(lease.Value, F_GETFL);
            if (flags < 0 || fcntl(lease.Value, F_SETFL, flags | O_NONBLOCK) < 0)
            {
                throw new Ring.Shared.Control.ControlProtocolException($"fd {index}: cannot make the eventfd non-blocking");
            }
        }
        fds[index] = null;
        return new EventChannel(fd);
    }
}
