using System.Globalization;

namespace Netback.Tests.Fuzz;

/// <summary>
/// How long and from which seed the hostile-frontend fuzz runs: NETBACK_FUZZ_SECONDS (20 in the
/// suite, 600 for bench/fuzz-long.sh) and NETBACK_FUZZ_SEED (printed, so a failing run can be
/// replayed; thread interleaving still differs between runs).
/// </summary>
internal sealed record FuzzSettings(TimeSpan Duration, int Seed, int RingFuzzers, int ControlFuzzers)
{
    public const string SecondsVariable = "NETBACK_FUZZ_SECONDS";
    public const string SeedVariable = "NETBACK_FUZZ_SEED";

    public static FuzzSettings FromEnvironment()
    {
        double seconds = double.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), NumberStyles.Float,
            CultureInfo.InvariantCulture, out double s) && s > 0 ? s : 20;
        int seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.Integer,
            CultureInfo.InvariantCulture, out int v) ? v : Random.Shared.Next();
        // Two cores shared with other work: more threads would only add scheduling noise.
        return new FuzzSettings(TimeSpan.FromSeconds(seconds), seed, RingFuzzers: 3, ControlFuzzers: 2);
    }

    /// <summary>A deterministic generator per fuzzer thread.</summary>
    public Random RandomFor(int fuzzer) => new(unchecked(Seed * 31 + fuzzer));
}
