using System.Globalization;

namespace Netback.LabReport;

/// <summary>One figure over its runs: the median, the lowest and highest run, and how many runs there were.</summary>
internal readonly record struct Spread(double Median, double Min, double Max, int Runs)
{
    /// <summary>The spread relative to the median, (max − min) / |median|; NaN when unknown.</summary>
    public double RelativeRange => Runs < 2 || Median == 0 ? double.NaN : (Max - Min) / Math.Abs(Median);

    /// <summary>"12.3 [11.9–12.8, 3 runs]" ("12.3 Gbit/s [11.9–12.8, 3 runs]" with a unit), or "n/a".</summary>
    public string Format(int digits = 2, string unit = "")
    {
        string u = unit.Length == 0 ? "" : " " + unit;
        return Runs == 0
            ? "n/a"
            : Runs == 1
                ? $"{Number(Median, digits)}{u} (1 run)"
                : $"{Number(Median, digits)}{u} [{Number(Min, digits)}–{Number(Max, digits)}, {Runs} runs]";
    }

    public static string Number(double v, int digits = 2)
    {
        if (double.IsNaN(v))
        {
            return "n/a";
        }
        double a = Math.Abs(v);
        return a >= 1000 ? v.ToString("N0", CultureInfo.InvariantCulture)
            : a >= 100 ? v.ToString("F0", CultureInfo.InvariantCulture)
            : v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
