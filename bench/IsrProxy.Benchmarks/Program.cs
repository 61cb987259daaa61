using BenchmarkDotNet.Running;
using IsrProxy.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(PurgeBenchmarks).Assembly).Run(args);
