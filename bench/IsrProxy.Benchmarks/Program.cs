using BenchmarkDotNet.Running;
using IsrProxy.Benchmarks;

// `hit-redis`: the HTTP load run comparing stores (bench/hit-redis.sh); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "hit-redis")
{
    return await HitThroughput.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(PurgeBenchmarks).Assembly).Run(args);
return 0;
