using System.Globalization;

namespace Netback.Daemon.Diagnostics;

/// <summary>
/// The CPU a thread of this process last ran on: field 39 (<c>processor</c>) of
/// <c>/proc/self/task/&lt;tid&gt;/stat</c> (proc(5)), read when asked (netbackctl's <c>show</c>),
/// never by the thread itself. A tid is recycled once its thread exits, so the thread's name
/// (field 2, <c>comm</c>: the first 15 bytes of what it was named) must match too.
/// </summary>
internal static class ThreadCpu
{
    /// <summary>The kernel keeps TASK_COMM_LEN - 1 bytes of a thread's name.</summary>
    private const int CommLength = 15;

    /// <summary>The CPU, or null when thread <paramref name="tid"/> named <paramref name="name"/> is gone.</summary>
    public static int? LastCpu(int tid, string name)
    {
        if (tid <= 0)
        {
            return null;
        }
        string stat;
        try
        {
            stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/self/task/{tid}/stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // exited (ENOENT, or ESRCH while reading)
        }
        return Parse(stat, name);
    }

    /// <summary>
    /// Field 39 of a stat line whose comm is <paramref name="name"/>'s first 15 characters. The comm
    /// may hold spaces and parentheses, so the fields after it are counted from its last ')'.
    /// </summary>
    public static int? Parse(string stat, string name)
    {
        int open = stat.IndexOf('(', StringComparison.Ordinal);
        int close = stat.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }
        string comm = stat[(open + 1)..close];
        if (comm != (name.Length > CommLength ? name[..CommLength] : name))
        {
            return null;
        }
        // After "pid (comm) ": field 3 (state) onwards, so field 39 is the 37th.
        string[] fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 36 && int.TryParse(fields[36], NumberStyles.None, CultureInfo.InvariantCulture, out int cpu) ? cpu : null;
    }
}
