using System.Globalization;

namespace Netback.Daemon.Configuration;

/// <summary>
/// A set of integers written as ranges, e.g. <c>100-199,300</c> (a rule's <c>DomIds</c>) or
/// <c>1280-9000</c> (its <c>Mtu</c>): parsed and bounded once at start, then only asked.
/// </summary>
internal sealed class NumberRanges
{
    private readonly (int Low, int High)[] _ranges;

    private NumberRanges((int Low, int High)[] ranges) => _ranges = ranges;

    /// <summary>Every value in <paramref name="low"/>..<paramref name="high"/>.</summary>
    public static NumberRanges Between(int low, int high) => new([(low, high)]);

    /// <summary>
    /// Comma-separated <c>N</c> or <c>LOW-HIGH</c> items, each within <paramref name="min"/>..<paramref name="max"/>,
    /// LOW ≤ HIGH; at most 64 items.
    /// </summary>
    public static bool TryParse(string? text, int min, int max, out NumberRanges ranges, out string? error)
    {
        ranges = new NumberRanges([]);
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty";
            return false;
        }
        string[] items = text.Split(',', StringSplitOptions.TrimEntries);
        if (items.Length > 64)
        {
            error = "has more than 64 ranges";
            return false;
        }
        var list = new List<(int, int)>(items.Length);
        foreach (string item in items)
        {
            int dash = item.IndexOf('-', StringComparison.Ordinal);
            string lowText = dash < 0 ? item : item[..dash];
            string highText = dash < 0 ? item : item[(dash + 1)..];
            if (!int.TryParse(lowText, NumberStyles.None, CultureInfo.InvariantCulture, out int low) ||
                !int.TryParse(highText, NumberStyles.None, CultureInfo.InvariantCulture, out int high) ||
                low > high || low < min || high > max)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"item '{item}' is not N or LOW-HIGH within {min}..{max}");
                return false;
            }
            list.Add((low, high));
        }
        list.Sort();
        ranges = new NumberRanges([.. list]);
        return true;
    }

    public bool Contains(int value)
    {
        foreach (var (low, high) in _ranges)
        {
            if (value >= low && value <= high)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Every value, ascending (overlapping ranges may repeat one).</summary>
    public IEnumerable<int> Values()
    {
        foreach (var (low, high) in _ranges)
        {
            for (int v = low; v <= high; v++)
            {
                yield return v;
            }
        }
    }

    public override string ToString() =>
        string.Join(',', _ranges.Select(r => r.Low == r.High
            ? r.Low.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{r.Low}-{r.High}")));
}
