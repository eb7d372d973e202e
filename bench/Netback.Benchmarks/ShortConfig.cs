using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Netback.Benchmarks;

/// <summary>
/// A short job, in process: the micro part of bench/run.sh must stay under three minutes on a
/// shared two-core machine, and an out-of-process toolchain would rebuild the solution per run.
/// Relative numbers and allocations are what matter here, not the last nanosecond.
/// </summary>
internal static class ShortConfig
{
    public static IConfig Create() => DefaultConfig.Instance
        .AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(5)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(200)))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .WithOptions(ConfigOptions.DisableLogFile);
}
