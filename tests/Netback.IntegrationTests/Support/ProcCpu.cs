namespace Netback.IntegrationTests.Support;

/// <summary>CPU time a process has used, from /proc/&lt;pid&gt;/stat (utime + stime, in clock ticks of 10 ms).</summary>
internal static class ProcCpu
{
    /// <summary>USER_HZ: /proc reports times in 1/100 s on every Linux architecture.</summary>
    public const int TicksPerSecond = 100;

    public static long Ticks(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may contain blanks: count fields after its closing parenthesis.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }
}
