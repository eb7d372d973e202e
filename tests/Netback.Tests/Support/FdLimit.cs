using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Netback.Tests.Support;

/// <summary>RLIMIT_NOFILE of this process (Tmds.LibC 0.5 has no getrlimit).</summary>
internal static unsafe partial class FdLimit
{
    private const int RLIMIT_NOFILE = 7;

    [StructLayout(LayoutKind.Sequential)]
    public record struct Limit(ulong Current, ulong Maximum);

    public static Limit Get()
    {
        Limit l;
        if (getrlimit(RLIMIT_NOFILE, &l) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "getrlimit");
        }
        return l;
    }

    public static void Set(Limit l)
    {
        if (setrlimit(RLIMIT_NOFILE, &l) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "setrlimit");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, Limit* limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, Limit* limit);
}
