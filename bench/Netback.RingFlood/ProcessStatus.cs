using System.Globalization;

namespace Netback.RingFlood;

/// <summary>A process's thread count and resident memory from <c>/proc/PID/status</c> (the scale mode's per-vif costs).</summary>
internal readonly record struct ProcessStatus(int Threads, long RssKiB)
{
    /// <summary>The figures now; zeros when the process cannot be read.</summary>
    public static ProcessStatus Read(int pid)
    {
        int threads = 0;
        long rss = 0;
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    _ = int.TryParse(line.AsSpan(8).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out threads);
                }
                else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    // "VmRSS:    123456 kB"
                    var v = line.AsSpan(6).Trim();
                    int space = v.IndexOf(' ');
                    _ = long.TryParse(space < 0 ? v : v[..space], NumberStyles.Integer, CultureInfo.InvariantCulture, out rss);
                }
            }
        }
        catch (IOException)
        {
        }
        return new ProcessStatus(threads, rss);
    }
}
