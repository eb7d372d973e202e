using System.Net.Sockets;

namespace Netback.Tests.Support;

/// <summary>The host side as an echo server: every frame the vif's TAP hands over is sent straight back to the guest.</summary>
internal sealed class HostEcho : IDisposable
{
    private readonly HostTap _host;
    private readonly Thread _thread;
    private volatile bool _stop;

    private HostEcho(HostTap host)
    {
        _host = host;
        _thread = new Thread(Run) { Name = "host-echo", IsBackground = true };
    }

    public static HostEcho Start(HostTap host)
    {
        var echo = new HostEcho(host);
        echo._thread.Start();
        return echo;
    }

    private void Run()
    {
        _host.ReceiveTimeout = 100;
        var buffer = new byte[70000];
        while (!_stop)
        {
            int n;
            try
            {
                n = _host.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            _host.Send(buffer.AsSpan(0, n));
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
