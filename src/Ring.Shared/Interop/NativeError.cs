using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Ring.Shared.Interop;

/// <summary>Turns a failed native call into an exception that names the call and errno.</summary>
internal static class NativeError
{
    public const int EAGAIN = 11;
    public const int EINTR = 4;
    public const int EINVAL = 22;
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EBUSY = 16;

    public static int LastErrno => Marshal.GetLastPInvokeError();

    public static Win32Exception Exception(string call, int errno) =>
        new(errno, $"{call} failed: {new Win32Exception(errno).Message} (errno {errno})");

    public static int ThrowIfError(int rc, string call)
    {
        if (rc < 0)
        {
            throw Exception(call, LastErrno);
        }
        return rc;
    }

    public static long ThrowIfError(long rc, string call)
    {
        if (rc < 0)
        {
            throw Exception(call, LastErrno);
        }
        return rc;
    }
}
