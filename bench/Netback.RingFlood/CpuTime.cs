using System.Globalization;

namespace Netback.RingFlood;

/// <summary>
/// CPU time of a whole process (all threads, user + system) from <c>/proc/PID/stat</c>, so the
/// flood's cost can be charged to both ends: this process and the daemon.
/// </summary>
internal static class CpuTime
{
    /// <summary>USER_HZ: /proc reports utime and stime in these ticks; 100 on every Linux ABI we run on.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of <paramref name="pid"/> in seconds, or NaN when it cannot be read.</summary>
    public static double Seconds(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return double.NaN;
        }
        catch (UnauthorizedAccessException)
        {
            return double.NaN;
        }
        // comm (field 2) may contain blanks and parentheses: fields are counted after the last ')'.
        int close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return double.NaN;
        }
        string[] f = stat[(close + 2)..].Split(' ');
        // f[0] is field 3 (state): utime is field 14 and stime field 15, i.e. f[11] and f[12].
        if (f.Length < 13
            || !long.TryParse(f[11], NumberStyles.Integer, CultureInfo.InvariantCulture, out long utime)
            || !long.TryParse(f[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out long stime))
        {
            return double.NaN;
        }
        return (utime + stime) / TicksPerSecond;
    }

    public static double Self() => Seconds(Environment.ProcessId);
}
