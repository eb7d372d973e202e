namespace Netback.Daemon.Diagnostics;

/// <summary>
/// The CPUs a thread of this process may run on, as the kernel lists them in
/// <c>/proc/self/task/&lt;tid&gt;/status</c> (<c>Cpus_allowed_list</c>, proc(5)): read when asked
/// (<c>netbackctl show</c>), never by the thread itself.
/// </summary>
internal static class ThreadAffinity
{
    private const string Field = "Cpus_allowed_list:";

    /// <summary>The CPU list (e.g. <c>0-1</c>), or null when thread <paramref name="tid"/> is gone.</summary>
    public static string? AllowedList(int tid)
    {
        if (tid <= 0)
        {
            return null;
        }
        try
        {
            foreach (string line in File.ReadLines($"/proc/self/task/{tid}/status"))
            {
                if (line.StartsWith(Field, StringComparison.Ordinal))
                {
                    return line[Field.Length..].Trim();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // exited meanwhile
        }
        return null;
    }
}
