using System.Collections.Concurrent;
using Netback.Daemon.Interface;
using Ring.Shared.Interop;
using Ring.Shared.Offload;
using Ring.Shared.Tap;

namespace Netback.Tests.Support;

/// <summary>
/// Stands in for the kernel's TAPs: each vif queue gets one end of a SOCK_SEQPACKET socketpair
/// (one frame per read/write, as a TAP queue fd), the test keeps the other end as the "host
/// stack"). Frames carry a virtio_net_hdr as on the daemon's IFF_VNET_HDR TAPs (see
/// <see cref="HostTap"/>). Lets a frontend and the real backend data path run in-process without root.
/// </summary>
internal sealed class SocketPairTapProvider : IVifTapProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, HostTap[]> _hostEnds = new();

    private readonly ConcurrentDictionary<string, OffloadFeatures> _offloads = new();

    /// <summary>Raised when the backend creates a vif's device: its name and the host-side ends.</summary>
    public event Action<string, HostTap[]>? Created;

    public TapDevice Create(string name, int queues, int mtu, string? bridge, OffloadFeatures rxOffloads)
    {
        var backend = new FileDescriptorHandle[queues];
        var host = new HostTap[queues];
        for (int q = 0; q < queues; q++)
        {
            var (a, b) = TapSocketPair.Create();
            backend[q] = a;
            host[q] = new HostTap(b);
        }
        _offloads[name] = rxOffloads;
        _hostEnds[name] = host;
        Created?.Invoke(name, host);
        return TapDevice.Adopt(name, backend, vnetHeader: true);
    }

    /// <summary>What the backend would have set with TUNSETOFFLOAD on vif <paramref name="name"/>'s TAP.</summary>
    public OffloadFeatures RxOffloads(string name)
    {
        _ = HostEnds(name);
        return _offloads[name];
    }

    public bool Exists(string name) => false;

    /// <summary>
    /// Off: socketpairs are no netdev. A test of the hotplug runs turns it on, with a
    /// <c>ScriptDirectory</c> of scripts that record what they were given rather than touch a device.
    /// </summary>
    public bool RunsHotplugScripts { get; init; }

    /// <summary>The host-side sockets of vif <paramref name="name"/>, waiting up to 5 s for it.</summary>
    public HostTap[] HostEnds(string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            if (_hostEnds.TryGetValue(name, out var ends))
            {
                return ends;
            }
            Thread.Sleep(10);
        }
        throw new TimeoutException($"the backend created no device {name}");
    }

    /// <summary>Names of every device created and not yet released (live or gone vifs).</summary>
    public ICollection<string> Names => _hostEnds.Keys;

    /// <summary>
    /// Closes and forgets the host ends of <paramref name="name"/>: a long test whose vifs come and go
    /// would otherwise hold one socket per dead vif until disposal.
    /// </summary>
    public void Release(string name)
    {
        if (_hostEnds.TryRemove(name, out var ends))
        {
            foreach (var s in ends)
            {
                s.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var ends in _hostEnds.Values)
        {
            foreach (var s in ends)
            {
                s.Dispose();
            }
        }
    }
}
