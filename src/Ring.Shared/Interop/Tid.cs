using System.Runtime.InteropServices;

namespace Ring.Shared.Interop;

/// <summary>
/// <c>gettid(2)</c>: the calling thread's Linux id, the one <c>/proc/self/task/&lt;tid&gt;</c>, top -H
/// and perf name (not .NET's managed thread id). It cannot fail.
/// </summary>
internal static partial class Tid
{
    [LibraryImport(Libc.Name, EntryPoint = "gettid")]
    private static partial int gettid();

    public static int Current() => gettid();
}
