using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Netback.IntegrationTests.Support;

/// <summary>kill(2): the tests send exactly the signal a scenario names (SIGTERM, SIGKILL).</summary>
internal static partial class Signals
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public static void Send(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"kill({pid}, {signal})");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
