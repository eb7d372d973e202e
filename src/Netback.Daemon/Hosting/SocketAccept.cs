using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Netback.Daemon.Hosting;

/// <summary>The accept step shared by the control and admin listeners' threads.</summary>
internal static class SocketAccept
{
    /// <summary>
    /// Accepts the next connection; null once <paramref name="stopping"/> says so (the listener was
    /// closed to wake the thread). Any other failure (EMFILE, say) is logged and retried after 100 ms,
    /// so it cannot spin the thread.
    /// </summary>
    public static Socket? Next(Socket listener, Func<bool> stopping, ILogger logger)
    {
        while (!stopping())
        {
            try
            {
                return listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (stopping())
                {
                    return null;
                }
                HostingLog.AcceptFailed(logger, e);
                Thread.Sleep(100);
            }
        }
        return null;
    }
}
