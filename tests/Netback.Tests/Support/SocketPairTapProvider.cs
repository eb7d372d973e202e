using System.Collections.Concurrent;
using System.Net.Sockets;
using Netback.Daemon.Interface;
using Netback.Ring.Interop;
using Netback.Ring.Tap;

namespace Netback.Tests.Support;

/// <summary>
/// Stands in for the kernel's TAPs: each vif queue gets one end of a SOCK_SEQPACKET socketpair
/// (one frame per read/write, as a TAP queue fd), the test keeps the other end as the "host
/// stack". Lets a frontend and the real backend data path run in-process without root.
/// </summary>
internal sealed class SocketPairTapProvider : IVifTapProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, Socket[]> _hostEnds = new();

    /// <summary>Raised when the backend creates a vif's device: its name and the host-side sockets.</summary>
    public event Action<string, Socket[]>? Created;

    public TapDevice Create(string name, int queues, int mtu, string? bridge)
    {
        var backend = new FileDescriptorHandle[queues];
        var host = new Socket[queues];
        for (int q = 0; q < queues; q++)
        {
            var (a, b) = TapSocketPair.Create();
            backend[q] = a;
            host[q] = b;
        }
        _hostEnds[name] = host;
        Created?.Invoke(name, host);
        return TapDevice.Adopt(name, backend);
    }

    public bool Exists(string name) => false;

    /// <summary>The host-side sockets of vif <paramref name="name"/>, waiting up to 5 s for it.</summary>
    public Socket[] HostEnds(string name)
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
