using System.Globalization;

namespace Netback.Ctl;

/// <summary>Numbers for people: exact where scripts read them (plain lines), short where a terminal is narrow.</summary>
internal static class Format
{
    public static string Integer(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>A per-second figure with one decimal (<c>-</c>: none yet).</summary>
    public static string Rate(double? perSecond) =>
        perSecond is { } r ? r.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    /// <summary>1234567 as <c>1.23M</c>, powers of 1000; below 10000 as it is.</summary>
    public static string Short(double n)
    {
        double a = Math.Abs(n);
        return a < 10_000 ? n.ToString(a == Math.Floor(a) ? "0" : "0.0", CultureInfo.InvariantCulture)
            : a < 1e6 ? (n / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "k"
            : a < 1e9 ? (n / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M"
            : a < 1e12 ? (n / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + "G"
            : (n / 1e12).ToString("0.##", CultureInfo.InvariantCulture) + "T";
    }
}
