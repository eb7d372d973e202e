using System.Collections.Concurrent;
using System.Net.Sockets;
using Netback.Tests.Support;

namespace Netback.Tests.Fuzz;

/// <summary>
/// The "host stack" of the hostile vifs: drains what their TX paths write and sends frames into
/// their RX paths, so the fuzzed RX buffers and indices meet real traffic. Never touches the
/// healthy vif's TAP end.
/// </summary>
internal sealed class HostSideInjector(string healthyVif, Random rng)
{
    private readonly ConcurrentDictionary<Socket, bool> _ends = new();

    /// <summary>Hooked to <c>SocketPairTapProvider.Created</c>: runs on the backend's session thread, so only records.</summary>
    public void OnCreated(string name, HostTap[] hostEnds)
    {
        if (name == healthyVif)
        {
            return;
        }
        foreach (var s in hostEnds)
        {
            _ends[s.Socket] = true; // raw: whatever it sends is read as virtio_net_hdr + frame
        }
    }

    public long FramesIn { get; private set; }

    public long FramesOut { get; private set; }

    /// <summary>Closes every host end still held (all hostile vifs are gone), so none waits for the finalizer.</summary>
    public void CloseEnds()
    {
        foreach (var s in _ends.Keys)
        {
            s.Dispose();
        }
        _ends.Clear();
    }

    public void Run(Func<bool> stop)
    {
        byte[] frame = new byte[1514];
        frame.AsSpan(0, 12).Fill(0xff);
        frame[12] = 0x88;
        frame[13] = 0xB5;
        byte[] sink = new byte[70_000];
        while (!stop())
        {
            foreach (var s in _ends.Keys)
            {
                try
                {
                    s.Blocking = false;
                    for (int i = 0; i < 8 && s.Available > 0; i++)
                    {
                        s.Receive(sink);
                        FramesOut++;
                    }
                    s.Send(frame.AsSpan(0, rng.Next(14, frame.Length + 1)));
                    FramesIn++;
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
                {
                    // the vif posts no RX buffers: its queue is full
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    _ends.TryRemove(s, out _); // the vif is gone
                }
            }
            Thread.Sleep(1);
        }
    }
}
