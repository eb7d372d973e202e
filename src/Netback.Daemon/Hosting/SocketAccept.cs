using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Netback.Daemon.Hosting;

/// <summary>The admin listener's blocking accept step (the control socket's is the xenbus loop's, non-blocking).</summary>
internal static class SocketAccept
{
    /// <summary>
    /// Accepts the next connection; null once <paramref name="stopping"/> says so (the listener was
    /// closed to wake the thread). Any other failure (EMFILE, say) is a rate-limited Warning with the
    /// kernel's words, and accepting pauses with <see cref="AcceptPause"/>'s backoff so it cannot spin.
    /// </summary>
    public static Socket? Next(Socket listener, string socketPath, Func<bool> stopping, ILogger logger, CancellationToken cancel)
    {
        var pause = new AcceptPause();
        while (!stopping())
        {
            try
            {
                // Waited for through .NET's epoll, so a cancellation wakes it without closing the listener.
                return listener.AcceptAsync(cancel).AsTask().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                if (stopping() || cancel.IsCancellationRequested)
                {
                    return null;
                }
                var wait = pause.Next();
                HostingLog.AcceptFailed(logger, socketPath, e is SocketException s ? $"{s.Message} ({s.SocketErrorCode})" : e.Message, wait);
                cancel.WaitHandle.WaitOne(wait);
            }
        }
        return null;
    }
}
