using System.Globalization;

namespace Netback.Daemon.Configuration;

/// <summary>
/// A vif's guest-TX rate (<c>rate=</c>), as libxl stores it: credit bytes per interval
/// (xenstore's <c>rate = "&lt;bytes&gt;,&lt;usec&gt;"</c>).
/// </summary>
internal sealed record RateLimit(ulong BytesPerInterval, uint IntervalMicroseconds)
{
    /// <summary>xl's default replenishment interval: 50 ms.</summary>
    public const uint DefaultIntervalMicroseconds = 50_000;

    public double BitsPerSecond => BytesPerInterval * 8.0 * 1_000_000 / IntervalMicroseconds;

    /// <summary>
    /// Parses xl's <c>RATE/s[@INTERVAL]</c> (xl-network-configuration(5), libxlu_vif.c): RATE is a
    /// decimal integer 1..2^32-1 with an optional G/M/K multiplier (powers of 1000; <c>k</c> accepted
    /// too) and <c>B</c> for bytes or <c>b</c> for bits, then <c>/s</c>; INTERVAL is an integer with
    /// <c>s</c>, <c>ms</c>, <c>us</c> or no unit (seconds, as libxlu), default 50 ms.
    /// </summary>
    public static bool TryParse(string text, out RateLimit? rate, out string? error)
    {
        rate = null;
        error = null;
        int at = text.IndexOf('@', StringComparison.Ordinal);
        string bytesPart = at < 0 ? text : text[..at];
        if (bytesPart.Length == 0)
        {
            error = "no rate specified";
            return false;
        }
        if (!TryParseBytesPerSecond(bytesPart, out ulong bytesPerSecond))
        {
            error = $"invalid rate '{bytesPart}' (like 10Mb/s, 500Mb/s, 1Gb/s, 100KB/s, 5MB/s)";
            return false;
        }
        uint usec = DefaultIntervalMicroseconds;
        if (at >= 0 && !TryParseInterval(text[(at + 1)..], out usec))
        {
            error = $"invalid replenishment interval '{text[(at + 1)..]}' (like 50ms, 20000us, 1s)";
            return false;
        }
        ulong bytesPerInterval = (ulong)((UInt128)bytesPerSecond * usec / 1_000_000);
        if (bytesPerInterval == 0)
        {
            // libxl would store 0 and netback would then never send: refuse it instead.
            error = $"rate '{text}' gives no whole byte per interval";
            return false;
        }
        rate = new RateLimit(bytesPerInterval, usec);
        return true;
    }

    /// <summary>
    /// The lower of two rates, compared in bits per second (null: unlimited): an operator's rate is a
    /// ceiling no frontend lifts. The lower one is kept whole, interval included.
    /// </summary>
    public static RateLimit? Lower(RateLimit? a, RateLimit? b) =>
        a is null ? b : b is null ? a : b.BitsPerSecond < a.BitsPerSecond ? b : a;

    /// <summary>Human form for listings: e.g. <c>10Mb/s@50ms</c> (bits, rounded to three digits).</summary>
    public override string ToString()
    {
        double bits = BitsPerSecond;
        string rate = bits >= 1e9 ? $"{bits / 1e9:0.###}Gb/s" : bits >= 1e6 ? $"{bits / 1e6:0.###}Mb/s" :
            bits >= 1e3 ? $"{bits / 1e3:0.###}Kb/s" : $"{bits:0.###}b/s";
        string interval = IntervalMicroseconds % 1000 == 0 ? $"{IntervalMicroseconds / 1000}ms" : $"{IntervalMicroseconds}us";
        return string.Create(CultureInfo.InvariantCulture, $"{rate}@{interval}");
    }

    private static bool TryParseBytesPerSecond(string s, out ulong bytesPerSecond)
    {
        bytesPerSecond = 0;
        if (!s.EndsWith("/s", StringComparison.Ordinal))
        {
            return false;
        }
        s = s[..^2];
        int digits = LeadingDigits(s);
        if (digits == 0 || !ulong.TryParse(s.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) ||
            n == 0 || n > uint.MaxValue)
        {
            return false;
        }
        string unit = s[digits..];
        ulong multiplier = unit.Length == 2 ? unit[0] switch { 'G' => 1_000_000_000UL, 'M' => 1_000_000UL, 'K' or 'k' => 1_000UL, _ => 0UL } : 1UL;
        char kind = unit.Length is 1 or 2 ? unit[^1] : '\0';
        if (multiplier == 0 || kind is not ('B' or 'b'))
        {
            return false;
        }
        bytesPerSecond = n * multiplier;
        if (kind == 'b')
        {
            bytesPerSecond /= 8;
        }
        return bytesPerSecond > 0;
    }

    private static bool TryParseInterval(string s, out uint usec)
    {
        usec = 0;
        int digits = LeadingDigits(s);
        if (digits == 0 || !ulong.TryParse(s.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) ||
            n == 0 || n > uint.MaxValue)
        {
            return false;
        }
        ulong scale = s[digits..] switch { "" or "s" => 1_000_000, "ms" => 1_000, "us" => 1, _ => 0 };
        if (scale == 0 || n * scale > uint.MaxValue)
        {
            return false;
        }
        usec = (uint)(n * scale);
        return true;
    }

    private static int LeadingDigits(string s)
    {
        int i = 0;
        while (i < s.Length && i < 10 && char.IsAsciiDigit(s[i]))
        {
            i++;
        }
        return i < s.Length && char.IsAsciiDigit(s[i]) ? 0 : i;
    }
}
