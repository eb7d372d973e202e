using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Netback.Tests.Support;

/// <summary>
/// Connects to a Unix socket as another uid, from this process: a fresh thread drops its own kernel
/// credentials (the raw setgroups/setresgid/setresuid system calls change the calling thread only;
/// glibc's wrappers would change every thread) and connects, so SO_PEERCRED on the other end says
/// that uid. Needs root; the sockets come back to the caller, owned. The integration tier compiles
/// this file too (linked in its project), so both tiers use one copy.
/// </summary>
internal static partial class ForeignUid
{
    /// <summary>nobody/nogroup: the unprivileged frontend of the tests.</summary>
    public const uint Nobody = 65534;

    /// <summary>
    /// Opens <paramref name="count"/> connections to <paramref name="path"/> as <paramref name="uid"/>
    /// (gid the same, no supplementary groups). The socket file and its directories must let that uid in.
    /// </summary>
    public static List<Socket> Connect(string path, int count, uint uid = Nobody)
    {
        var sockets = new List<Socket>(count);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                DropTo(uid);
                for (int i = 0; i < count; i++)
                {
                    sockets.Add(ConnectOne(path));
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { Name = $"uid-{uid}" };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            foreach (var s in sockets)
            {
                s.Dispose();
            }
            throw new InvalidOperationException($"connecting as uid {uid} failed after {sockets.Count} of {count}", failure);
        }
        return sockets;
    }

    /// <summary>Lets every uid reach a socket in <paramref name="dir"/> (mode 0755 on the directory).</summary>
    public static void OpenDirectory(string dir) =>
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

    private static void DropTo(uint uid)
    {
        var (setgroups, setresgid, setresuid) = RuntimeInformation.ProcessArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => (116L, 119L, 117L),
            System.Runtime.InteropServices.Architecture.Arm64 => (159L, 149L, 147L),
            var other => throw new PlatformNotSupportedException($"no syscall numbers for {other}"),
        };
        Check(syscall(setgroups, 0, 0, 0), "setgroups");
        Check(syscall(setresgid, uid, uid, uid), "setresgid");
        Check(syscall(setresuid, uid, uid, uid), "setresuid");
    }

    /// <summary>A blocking connect: .NET makes the connect() call on this thread, with its credentials.</summary>
    private static Socket ConnectOne(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void Check(long rc, string call)
    {
        if (rc != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), call);
        }
    }

    /// <summary>The raw system call: only the calling thread's credentials change.</summary>
    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long a1, long a2, long a3);
}
