using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using Netback.Tests.Support;
using Ring.Shared.Control;
using Ring.Shared.Interop;
using static Tmds.Linux.LibC;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// What a hostile frontend can do to the eventfds it shares with the backend: they are one open file
/// description on both sides, so its flags (O_NONBLOCK), its mode (EFD_SEMAPHORE) and its counter are
/// the frontend's to change at any time. Also finds the backend's worker threads by name.
/// </summary>
internal static unsafe partial class HostileEventFds
{
    public const int EFD_SEMAPHORE = 0x1;
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    /// <summary>The largest counter an eventfd holds: one more and write(2) blocks (or EAGAIN).</summary>
    public const ulong FullCounter = 0xffff_ffff_ffff_fffe;

    public static FileDescriptorHandle Create(bool semaphore = false, bool nonBlocking = true) =>
        new(Native.Check(eventfd(0, EFD_CLOEXEC | (semaphore ? EFD_SEMAPHORE : 0) | (nonBlocking ? EFD_NONBLOCK : 0)), "eventfd"));

    /// <summary>Sets or clears O_NONBLOCK on the description: the backend's copy changes with it.</summary>
    public static void SetNonBlocking(FileDescriptorHandle fd, bool on)
    {
        int raw = Native.Raw(fd);
        int flags = Native.Check(fcntl(raw, F_GETFL), "F_GETFL");
        Native.Check(fcntl(raw, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK), "F_SETFL");
    }

    public static bool IsNonBlocking(FileDescriptorHandle fd) => (Native.Check(fcntl(Native.Raw(fd), F_GETFL), "F_GETFL") & O_NONBLOCK) != 0;

    /// <summary>A write that may fail (EAGAIN on a full counter): true when it went through.</summary>
    public static bool TryWrite(FileDescriptorHandle fd, ulong value) => write(Native.Raw(fd), &value, sizeof(ulong)) == sizeof(ulong);

    /// <summary>
    /// A read that never blocks, whatever O_NONBLOCK says (preadv2 with RWF_NOWAIT: eventfd has a
    /// read_iter, so the kernel honours it): the value, or 0 when the counter is empty.
    /// </summary>
    public static ulong TryRead(FileDescriptorHandle fd)
    {
        ulong value = 0;
        var iov = new Iovec { Base = &value, Length = sizeof(ulong) };
        return preadv2(Native.Raw(fd), &iov, 1, -1, RWF_NOWAIT) == sizeof(ulong) ? value : 0;
    }

    private const int RWF_NOWAIT = 0x8;

    private struct Iovec
    {
        public void* Base;
        public nuint Length;
    }

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial nint preadv2(int fd, Iovec* iov, int iovcnt, long offset, int flags);

    /// <summary>
    /// Opens a hostile frontend and sends the standard Connect with these four eventfds in place of
    /// its own (TX kick, TX call, RX kick, RX call); returns it once Connected, with the vif's name.
    /// </summary>
    public static (HostileFrontend Front, string Vif) Connect(string socketPath,
        FileDescriptorHandle txKick, FileDescriptorHandle txCall, FileDescriptorHandle rxKick, FileDescriptorHandle rxCall)
    {
        var f = HostileFrontend.Open(socketPath);
        try
        {
            f.SendConnect(HostileFrontend.StandardConnect(), [f.Area.Fd, txKick, txCall, rxKick, rxCall]);
            var reply = f.ReceiveControl();
            if (reply.Type != ControlMessageType.Connected)
            {
                throw new InvalidOperationException($"expected Connected, got {reply}");
            }
            return (f, reply.Get(XenbusKeys.Vif)!);
        }
        catch
        {
            f.Dispose();
            throw;
        }
    }

    /// <summary>The thread id of this process's thread named <paramref name="name"/> (comm, 15 chars), or null.</summary>
    public static int? ThreadId(string name)
    {
        string comm = name.Length > 15 ? name[..15] : name;
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == comm)
                {
                    return int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // the thread ended while we looked
            }
        }
        return null;
    }

    /// <summary>CPU time (user + system) thread <paramref name="tid"/> has used, from /proc/self/task/&lt;tid&gt;/stat.</summary>
    public static TimeSpan CpuTime(int tid)
    {
        string stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
        // Fields after the ")" that closes comm: state is field 3, utime 14, stime 15.
        string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ: always 100 in /proc
    }

    /// <summary>The kernel's state letter for the thread (R running, S sleeping, D uninterruptible) and what it waits in.</summary>
    public static string Describe(int tid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
            string wchan = File.ReadAllText($"/proc/self/task/{tid}/wchan");
            string syscall = File.ReadAllText($"/proc/self/task/{tid}/syscall").Split(' ')[0];
            return $"state {stat[stat.LastIndexOf(')') + 2]}, wchan {wchan}, syscall {syscall}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "gone";
        }
    }

    public static Win32Exception LastError(string call) => new(Marshal.GetLastPInvokeError(), call);
}
