using BenchmarkDotNet.Attributes;
using IsrProxy.Caching;
using System.Diagnostics.Metrics;
using IsrProxy.Configuration;
using IsrProxy.Observability;
using Microsoft.Extensions.DependencyInjection;
using IsrProxy.NextJs;
using IsrProxy.Purge;
using IsrProxy.Revalidation;
using IsrProxy.Storage;
using IsrProxy.Storage.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IsrProxy.Benchmarks;

/// <summary>
/// A tag purge must cost the same whatever the number of entries carrying the tag (SPEC §3): it is one stamp in the
/// tag clock. The baseline purges a tag carried by one entry; the other a tag carried by 100,000.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class PurgeBenchmarks
{
    private const int Many = 100_000;
    private PurgeService _purge = null!;
    private TagClock _clock = null!;
    private CacheEntry _manyEntry = null!;
    private PurgeRequest _one;
    private PurgeRequest _many;

    [GlobalSetup]
    public void Setup()
    {
        var options = Options.Create(new IsrOptions { Origin = "http://127.0.0.1:1" });
        var store = new MemoryCacheStore(long.MaxValue);
        _clock = new TagClock();
        var queue = new RegenerationQueue(options);
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var metrics = new IsrMetrics(meters, store, queue, new MissCoalescer());
        _purge = new PurgeService(_clock, new MemoryClockReplication(), store, queue, new NextTagRegistry(options), TimeProvider.System, metrics, options, NullLogger<PurgeService>.Instance);
        var renderedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var i = 0; i < Many; i++)
        {
            var entry = Entry($"/products/{i}", ["collection"], renderedAt);
            store.SetAsync(entry, default).AsTask().Wait();
            _manyEntry = entry;
        }

        store.SetAsync(Entry("/about", ["about"], renderedAt), default).AsTask().Wait();
        _one = new PurgeRequest(PurgeTarget.Tag, "about", PurgeMode.Stale);
        _many = new PurgeRequest(PurgeTarget.Tag, "collection", PurgeMode.Stale);
    }

    [Benchmark(Baseline = true, Description = "tag purge, 1 entry")]
    public async Task<DateTimeOffset> PurgeTagOfOneEntry() => (await _purge.PurgeAsync(_one, CancellationToken.None)).At;

    [Benchmark(Description = "tag purge, 100,000 entries")]
    public async Task<DateTimeOffset> PurgeTagOfManyEntries() => (await _purge.PurgeAsync(_many, CancellationToken.None)).At;

    [Benchmark(Description = "lookup verdict after a purge")]
    public int EvaluateAfterPurge() => (int)Freshness.Evaluate(_manyEntry, _clock, DateTimeOffset.UtcNow).State;

    private static CacheEntry Entry(string path, string[] tags, DateTimeOffset renderedAt) => new()
    {
        Key = path,
        Path = path,
        PathAndQuery = path,
        StatusCode = 200,
        Body = new byte[64],
        RenderStartedAt = renderedAt,
        GeneratedAt = renderedAt,
        MaxStale = TimeSpan.FromDays(365),
        Tags = tags,
        ClockKeys = ClockKeys.For(path, tags),
    };
}
