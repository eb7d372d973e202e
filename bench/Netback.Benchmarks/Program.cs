using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Netback.Benchmarks;

// run.sh passes BenchmarkDotNet's own switches (--filter '*', --artifacts DIR, --exporters json).
BenchmarkSwitcher.FromAssembly(typeof(RingBenchmarks).Assembly).Run(args, ShortConfig.Create());
