using System.Globalization;
using System.Net.Sockets;

namespace Netback.Daemon.Hosting;

/// <summary>
/// Puts a listening socket at its path only once it is ready: bound under a temporary name in the
/// same directory, given its mode and group, listening, and then renamed onto the real path
/// (rename(2) replaces atomically). So the path never names a socket that refuses: a frontend that
/// finds it gets a listener (or, for a dead daemon's stale file, the refusal it would get anyway),
/// never the window between bind and listen, nor the chmod/chown before it, where connect(2) says
/// ECONNREFUSED of a path that exists.
/// </summary>
internal static class SocketPublisher
{
    /// <param name="path">Where the socket goes.</param>
    /// <param name="tag">Tells apart the temporary names of the daemon's sockets in one directory.</param>
    /// <param name="prepare">Sets mode and group, given the temporary path (it may throw: nothing is published then).</param>
    /// <param name="backlog">listen(2)'s backlog.</param>
    public static PublishedSocket Publish(string path, string tag, Action<string> prepare, int backlog)
    {
        string? dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
        EnsureNotInUse(path);
        // Same directory (rename(2) does not cross file systems), a dot name nobody looks for, the pid
        // so two daemons starting at once never share one.
        string temp = Path.Combine(dir ?? "", string.Create(CultureInfo.InvariantCulture, $".{tag}.{Environment.ProcessId}.new"));
        if (SocketFile.IsSocket(temp))
        {
            File.Delete(temp); // left by a daemon that died here with our pid; nobody else uses this name
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        bool bound = false;
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(temp));
            bound = true;
            prepare(temp);
            socket.Listen(backlog);
            // File.Move with overwrite is rename(2) on Linux: one step from "no listener here" (or a
            // stale file) to "listening", never a moment without the path while a stale file is replaced.
            File.Move(temp, path, overwrite: true);
            bound = false;
            return new PublishedSocket(socket, path, SocketFile.TryStat(path));
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            socket.Dispose();
            if (bound && SocketFile.IsSocket(temp))
            {
                File.Delete(temp);
            }
            if (e is InvalidOperationException)
            {
                throw;
            }
            throw new InvalidOperationException($"cannot listen on the {tag} socket {path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Refuses a path that is not a socket, and a socket some daemon listens on; a socket nobody
    /// listens on is a dead daemon's and will be replaced.
    /// </summary>
    public static void EnsureNotInUse(string path)
    {
        if (!SocketFile.IsSocket(path))
        {
            if (Path.Exists(path))
            {
                throw new InvalidOperationException($"{path} exists and is not a socket; refusing to replace it");
            }
            return;
        }
        using var probe = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            return; // nobody listens: a stale socket from a daemon that did not exit cleanly
        }
        throw new InvalidOperationException($"another netbackd is already listening on {path}");
    }
}
