using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Netback.Tests.Support;

/// <summary>Raw Linux calls the tests use to build good and bad fds; every fd comes back owned.</summary>
internal static unsafe class Native
{
    public const uint MFD_CLOEXEC = 0x0001;
    public const uint MFD_ALLOW_SEALING = 0x0002;

    public static int Check(int rc, string call) =>
        rc >= 0 ? rc : throw new Win32Exception(Marshal.GetLastPInvokeError(), call);

    /// <summary>A memfd of <paramref name="bytes"/> bytes with exactly the seals asked for (none by default).</summary>
    public static FileDescriptorHandle Memfd(long bytes, int seals = 0, bool allowSealing = true)
    {
        byte[] name = Encoding.ASCII.GetBytes("netback-test\0");
        int fd;
        fixed (byte* n = name)
        {
            fd = Check(memfd_create(n, MFD_CLOEXEC | (allowSealing ? MFD_ALLOW_SEALING : 0)), "memfd_create");
        }
        var handle = new FileDescriptorHandle(fd);
        Check(ftruncate(fd, bytes), "ftruncate");
        if (seals != 0)
        {
            Check(fcntl(fd, F_ADD_SEALS, seals), "F_ADD_SEALS");
        }
        return handle;
    }

    public static FileDescriptorHandle Eventfd() => new(Check(eventfd(0, 0x80000 /* EFD_CLOEXEC */), "eventfd"));

    public static (FileDescriptorHandle Read, FileDescriptorHandle Write) Pipe()
    {
        int* fds = stackalloc int[2];
        Check(pipe2(fds, O_CLOEXEC), "pipe2");
        return (new FileDescriptorHandle(fds[0]), new FileDescriptorHandle(fds[1]));
    }

    public static FileDescriptorHandle Dup(FileDescriptorHandle fd) =>
        new(Check(fcntl(Raw(fd), F_DUPFD_CLOEXEC, 0), "F_DUPFD_CLOEXEC"));

    public static int GetSeals(FileDescriptorHandle fd) => Check(fcntl(Raw(fd), F_GET_SEALS), "F_GET_SEALS");

    /// <summary>The raw value for tests that deliberately hand a number to the kernel (the handle outlives the call).</summary>
    public static int Raw(FileDescriptorHandle fd) => (int)fd.DangerousGetHandle();

    public static void WriteU64(FileDescriptorHandle fd, ulong value)
    {
        if (write(Raw(fd), &value, sizeof(ulong)) != sizeof(ulong))
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "write");
        }
    }

    public static ulong ReadU64(FileDescriptorHandle fd)
    {
        ulong value;
        if (read(Raw(fd), &value, sizeof(ulong)) != sizeof(ulong))
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "read");
        }
        return value;
    }

    /// <summary>How many fds this process has open.</summary>
    public static int OpenFdCount() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>
    /// This process's open fds once garbage from earlier tests is finalized: an undisposed object of
    /// another test closing its fds mid-measurement would otherwise move the count either way.
    /// </summary>
    public static int SettledFdCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return OpenFdCount();
    }

    public static bool IsRoot => geteuid() == 0;
}
