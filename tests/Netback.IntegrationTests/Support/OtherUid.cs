using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Netback.IntegrationTests.Support;

/// <summary>
/// Connections made as another uid from this (root) process: a thread of its own drops its kernel
/// credentials with the raw setgroups/setresgid/setresuid system calls, which change that thread
/// only, and connects; SO_PEERCRED in netbackd then says that uid. The unit tier has the same helper
/// (Netback.Tests/Support/ForeignUid.cs); this tier does not reference that one.
/// </summary>
internal static partial class OtherUid
{
    public const uint Nobody = 65534;

    public static List<Socket> Connect(string path, int count, uint uid = Nobody)
    {
        var sockets = new List<Socket>(count);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var (setgroups, setresgid, setresuid) = RuntimeInformation.ProcessArchitecture switch
                {
                    Architecture.X64 => (116L, 119L, 117L),
                    Architecture.Arm64 => (159L, 149L, 147L),
                    var other => throw new PlatformNotSupportedException($"no syscall numbers for {other}"),
                };
                Check(syscall(setgroups, 0, 0, 0), "setgroups");
                Check(syscall(setresgid, uid, uid, uid), "setresgid");
                Check(syscall(setresuid, uid, uid, uid), "setresuid");
                for (int i = 0; i < count; i++)
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
                    sockets.Add(s);
                    s.Connect(new UnixDomainSocketEndPoint(path)); // a blocking connect: this thread's credentials
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

    /// <summary>Mode 0755 on <paramref name="dir"/>: every uid may reach a socket in it.</summary>
    public static void OpenDirectory(string dir) =>
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

    private static void Check(long rc, string call)
    {
        if (rc != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), call);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long a1, long a2, long a3);
}
