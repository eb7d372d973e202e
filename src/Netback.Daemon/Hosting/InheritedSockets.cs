using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Netback.Daemon.Hosting;

/// <summary>
/// Sockets passed by a service manager (systemd socket activation, sd_listen_fds(3)): LISTEN_PID
/// names this process, LISTEN_FDS counts the fds from 3 up, LISTEN_FDNAMES (optional) names them. The
/// socket then outlives the daemon: a frontend connecting while it restarts is queued in the
/// listen backlog and served by the next daemon instead of being refused. Each fd is matched to the
/// control or the admin socket by its name (<c>control</c>, <c>admin</c>) or else by the path it is
/// bound to; it must be an AF_UNIX SOCK_SEQPACKET socket that listens, otherwise the start fails
/// with a message that says which fd and what it is. The variables are read once and removed from
/// the environment (nothing the daemon runs inherits them), and the fds get FD_CLOEXEC.
/// </summary>
internal sealed partial class InheritedSockets
{
    public const int FirstFd = 3; // SD_LISTEN_FDS_START

    private static readonly Lock Gate = new();
    private static InheritedSockets? _current;

    private readonly List<(int Fd, string? Name)> _fds;

    internal InheritedSockets(List<(int Fd, string? Name)> fds) => _fds = fds;

    /// <summary>What this process inherited (read from the environment once, the variables then removed).</summary>
    public static InheritedSockets Current
    {
        get
        {
            lock (Gate)
            {
                if (_current is null)
                {
                    _current = new InheritedSockets(Parse(Environment.GetEnvironmentVariable("LISTEN_PID"),
                        Environment.GetEnvironmentVariable("LISTEN_FDS"), Environment.GetEnvironmentVariable("LISTEN_FDNAMES"),
                        Environment.ProcessId));
                    foreach (string v in (string[])["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"])
                    {
                        Environment.SetEnvironmentVariable(v, null);
                    }
                    foreach (var (fd, _) in _current._fds)
                    {
                        _ = fcntl(fd, F_SETFD, FD_CLOEXEC);
                    }
                }
                return _current;
            }
        }
    }

    /// <summary>How many fds were passed and not yet taken.</summary>
    public int Count => _fds.Count;

    /// <summary>
    /// sd_listen_fds(3)'s reading: no fds unless LISTEN_PID is this process (the variables were meant
    /// for another one, e.g. a parent that did not clear them). Malformed values are an error.
    /// </summary>
    internal static List<(int Fd, string? Name)> Parse(string? listenPid, string? listenFds, string? listenFdNames, int myPid)
    {
        if (string.IsNullOrEmpty(listenPid) || string.IsNullOrEmpty(listenFds))
        {
            return [];
        }
        if (!int.TryParse(listenPid, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
        {
            throw new InvalidOperationException($"LISTEN_PID '{listenPid}' is not a process id");
        }
        if (pid != myPid)
        {
            return [];
        }
        if (!int.TryParse(listenFds, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count > 64)
        {
            throw new InvalidOperationException($"LISTEN_FDS '{listenFds}' is not a count of passed sockets (0..64)");
        }
        string[]? names = string.IsNullOrEmpty(listenFdNames) ? null : listenFdNames.Split(':');
        if (names is not null && names.Length != count)
        {
            throw new InvalidOperationException($"LISTEN_FDNAMES '{listenFdNames}' names {names.Length} sockets, LISTEN_FDS says {count}");
        }
        var fds = new List<(int, string?)>(count);
        for (int i = 0; i < count; i++)
        {
            fds.Add((FirstFd + i, names?[i]));
        }
        return fds;
    }

    /// <summary>
    /// The passed socket for <paramref name="role"/> (<c>control</c> or <c>admin</c>) bound at
    /// <paramref name="path"/>, checked; null if none was passed for it. A socket named for another
    /// role or bound elsewhere is left for that role; when exactly one socket was passed and
    /// nothing names it otherwise, it is the control socket.
    /// </summary>
    public Socket? Take(string role, string path, string otherPath)
    {
        int index = -1;
        for (int i = 0; i < _fds.Count && index < 0; i++)
        {
            var (fd, name) = _fds[i];
            if (name == role || (name is not ("control" or "admin") && BoundPath(fd) is { } bound && bound == path))
            {
                index = i;
            }
        }
        if (index < 0 && role == "control" && _fds.Count == 1 && _fds[0].Name is not "admin"
            && (BoundPath(_fds[0].Fd) is not { Length: > 0 } only || only != otherPath))
        {
            index = 0; // systemd-socket-activate, or a unit without FileDescriptorName=: its one socket
        }
        if (index < 0)
        {
            return null;
        }
        var (takenFd, takenName) = _fds[index];
        _fds.RemoveAt(index);
        return Wrap(takenFd, takenName, role);
    }

    /// <summary>Fds nobody took, described for the error that stops the start.</summary>
    public string DescribeLeft() => string.Join(", ", _fds.Select(f => $"fd {f.Fd} ({f.Name ?? "unnamed"}, {BoundPath(f.Fd) ?? "not a bound Unix socket"})"));

    /// <summary>
    /// Null when <paramref name="fd"/> is a listening AF_UNIX SOCK_SEQPACKET socket, else what it is
    /// instead, in words.
    /// </summary>
    internal static string? Check(int fd)
    {
        if (!GetInt(fd, SO_DOMAIN, out int domain, out int errno))
        {
            return errno == ENOTSOCK ? "not a socket" : errno == EBADF ? "not an open fd" : $"getsockopt failed (errno {errno})";
        }
        if (domain != (int)AddressFamily.Unix)
        {
            return $"not a Unix socket (address family {domain})";
        }
        if (!GetInt(fd, SO_TYPE, out int type, out _) || type != SOCK_SEQPACKET)
        {
            return type switch
            {
                1 => "a SOCK_STREAM socket, not SOCK_SEQPACKET (ListenStream= in the socket unit; use ListenSequentialPacket=)",
                2 => "a SOCK_DGRAM socket, not SOCK_SEQPACKET (ListenDatagram= in the socket unit; use ListenSequentialPacket=)",
                _ => $"socket type {type}, not SOCK_SEQPACKET",
            };
        }
        if (!GetInt(fd, SO_ACCEPTCONN, out int listening, out _) || listening == 0)
        {
            return "not listening (Accept=no and a listening socket are needed)";
        }
        return null;
    }

    private static Socket Wrap(int fd, string? name, string role)
    {
        string what = $"the inherited {role} socket (fd {fd}{(name is null ? "" : $", named '{name}'")})";
        if (Check(fd) is { } wrong)
        {
            throw new InvalidOperationException($"{what} is {wrong}");
        }
        try
        {
            return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        }
        catch (Exception e) when (e is SocketException or ArgumentException or NotSupportedException)
        {
            throw new InvalidOperationException($"{what} cannot be used: {e.Message}", e);
        }
    }

    /// <summary>The path a Unix socket fd is bound to; null if none (or not a Unix socket).</summary>
    internal static unsafe string? BoundPath(int fd)
    {
        byte* buffer = stackalloc byte[110];
        int len = 110;
        if (getsockname(fd, buffer, &len) != 0 || len <= 2 || *(ushort*)buffer != (ushort)AddressFamily.Unix)
        {
            return null;
        }
        var path = new ReadOnlySpan<byte>(buffer + 2, len - 2);
        int end = path.IndexOf((byte)0);
        if (end == 0)
        {
            return null; // abstract
        }
        return System.Text.Encoding.UTF8.GetString(end < 0 ? path : path[..end]);
    }

    private static unsafe bool GetInt(int fd, int option, out int value, out int errno)
    {
        int v = 0;
        int len = sizeof(int);
        if (getsockopt(fd, SOL_SOCKET, option, &v, &len) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            value = -1;
            return false;
        }
        errno = 0;
        value = v;
        return true;
    }

    private const int SOL_SOCKET = 1;
    private const int SO_TYPE = 3;
    private const int SO_ACCEPTCONN = 30;
    private const int SO_DOMAIN = 39;
    private const int SOCK_SEQPACKET = 5;
    private const int ENOTSOCK = 88;
    private const int EBADF = 9;
    private const int F_SETFD = 2;
    private const int FD_CLOEXEC = 1;

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int getsockopt(int fd, int level, int option, void* value, int* len);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int getsockname(int fd, byte* address, int* len);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int cmd, int arg);
}
