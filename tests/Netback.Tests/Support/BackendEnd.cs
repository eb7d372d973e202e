using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ring.Shared.Interop;
using static Tmds.Linux.LibC;

namespace Netback.Tests.Support;

/// <summary>
/// The in-process backend's end of a control connection, found among this process's fds: a socket
/// that appeared since <see cref="Snapshot"/>, is bound to the backend's path and is not listening
/// (an accepted one). A test fills its send queue to play a frontend that stopped reading.
/// </summary>
internal static unsafe class BackendEnd
{
    /// <summary>The socket inodes open now.</summary>
    public static HashSet<string> Snapshot() => Sockets().Select(s => s.Inode).ToHashSet(StringComparer.Ordinal);

    /// <summary>A dup of the one accepted socket on <paramref name="socketPath"/> opened since <paramref name="before"/>.</summary>
    public static FileDescriptorHandle Find(string socketPath, HashSet<string> before)
    {
        var found = new List<FileDescriptorHandle>();
        foreach (var (fd, inode) in Sockets())
        {
            if (before.Contains(inode))
            {
                continue;
            }
            int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
            if (copy < 0)
            {
                continue; // closed meanwhile
            }
            var handle = new FileDescriptorHandle(copy);
            if (IsAcceptedOn(handle, socketPath))
            {
                found.Add(handle);
            }
            else
            {
                handle.Dispose();
            }
        }
        if (found.Count != 1)
        {
            foreach (var h in found)
            {
                h.Dispose();
            }
            throw new InvalidOperationException($"{found.Count} new accepted sockets on {socketPath}, expected 1");
        }
        return found[0];
    }

    /// <summary>Queues records on <paramref name="end"/> until the kernel says EAGAIN; returns how many went.</summary>
    public static int FillSendQueue(FileDescriptorHandle end)
    {
        byte[] junk = new byte[1024];
        int sent = 0;
        fixed (byte* p = junk)
        {
            while (true)
            {
                if (send(Native.Raw(end), p, junk.Length, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
                {
                    sent++;
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EAGAIN)
                {
                    return sent;
                }
                throw new Win32Exception(errno, "send");
            }
        }
    }

    private static bool IsAcceptedOn(FileDescriptorHandle handle, string socketPath)
    {
        using var socket = new Socket(new SafeSocketHandle(handle.DangerousGetHandle(), ownsHandle: false));
        try
        {
            bool listening = (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.AcceptConnection)! != 0;
            return !listening && socket.LocalEndPoint is UnixDomainSocketEndPoint local && IsControlSocketName(local.ToString(), socketPath);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// An accepted socket's name is the one its listener was bound to: netbackd binds the control
    /// socket as <c>.control.&lt;pid&gt;.new</c> beside the path and renames it once listening
    /// (<c>SocketPublisher</c>), so that name counts as the path's.
    /// </summary>
    private static bool IsControlSocketName(string name, string socketPath) =>
        name == socketPath
        || (Path.GetDirectoryName(name) == Path.GetDirectoryName(socketPath)
            && Path.GetFileName(name) is { } file && file.StartsWith(".control.", StringComparison.Ordinal) && file.EndsWith(".new", StringComparison.Ordinal));

    private static IEnumerable<(int Fd, string Inode)> Sockets()
    {
        foreach (string entry in Directory.GetFiles("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(entry).LinkTarget;
            }
            catch (IOException)
            {
                continue;
            }
            if (target is not null && target.StartsWith("socket:", StringComparison.Ordinal)
                && int.TryParse(Path.GetFileName(entry), out int fd))
            {
                yield return (fd, target);
            }
        }
    }
}
