using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Netback.Daemon.Access;

/// <summary>Reads a connected Unix socket's <see cref="PeerIdentity"/> from the kernel.</summary>
internal static unsafe class PeerCredentials
{
    private const int ERANGE = 34;
    private const int ENOPROTOOPT = 92;

    /// <summary>NGROUPS_MAX: the kernel never reports more supplementary groups than this.</summary>
    private const int NgroupsMax = 65536;

    public static PeerIdentity Read(Socket socket)
    {
        ucred cred = default;
        int n = socket.GetRawSocketOption(SOL_SOCKET, SO_PEERCRED, new Span<byte>(&cred, sizeof(ucred)));
        if (n != sizeof(ucred))
        {
            throw new InvalidOperationException("SO_PEERCRED returned a short answer");
        }
        return new PeerIdentity(cred.pid, cred.uid, cred.gid, PeerGroups(socket, cred.pid));
    }

    /// <summary>
    /// SO_PEERGROUPS (Linux 4.13+): the supplementary groups the peer had at connect(), exact and
    /// race-free. On older kernels, /proc/&lt;pid&gt;/status: what the process has now, and the pid
    /// may even have been reused; SECURITY.md says so.
    /// </summary>
    private static uint[] PeerGroups(Socket socket, int pid)
    {
        Span<uint> small = stackalloc uint[64];
        try
        {
            int n = socket.GetRawSocketOption(SOL_SOCKET, SO_PEERGROUPS, MemoryMarshal.AsBytes(small));
            return small[..(n / sizeof(uint))].ToArray();
        }
        catch (SocketException e) when (e.NativeErrorCode == ERANGE)
        {
            var large = new uint[NgroupsMax];
            int n = socket.GetRawSocketOption(SOL_SOCKET, SO_PEERGROUPS, MemoryMarshal.AsBytes(large.AsSpan()));
            return large[..(n / sizeof(uint))];
        }
        catch (SocketException e) when (e.NativeErrorCode == ENOPROTOOPT)
        {
            return ProcStatusGroups(pid);
        }
    }

    private static uint[] ProcStatusGroups(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("Groups:", StringComparison.Ordinal))
                {
                    return line["Groups:".Length..]
                        .Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
                        .Select(g => uint.Parse(g, CultureInfo.InvariantCulture))
                        .ToArray();
                }
            }
        }
        catch (IOException)
        {
            // The peer exited already: it has no groups worth checking.
        }
        return [];
    }
}
