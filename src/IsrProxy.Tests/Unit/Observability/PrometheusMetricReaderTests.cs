using System.Text;
using IsrProxy.Observability;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Unit.Observability;

public sealed class PrometheusMetricReaderTests
{
    [Fact]
    public async Task CollectAsync_ConcurrentScrapes_EachGetsCompleteOutput()
    {
        using var harness = MeterHarness.Start();
        var counter = harness.Meter.CreateCounter<long>("isr.concurrent");
        for (var i = 0; i < 50; i++)
        {
            counter.Add(i + 1, new KeyValuePair<string, object?>("series", i));
        }

        using var start = new SemaphoreSlim(0);
        var scrapes = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await harness.ScrapeAsync();
        })).ToList();
        start.Release(scrapes.Count);

        foreach (var parsed in await Task.WhenAll(scrapes))
        {
            Assert.Equal(50, parsed.Find("isr_concurrent_total").Count);
            Assert.Equal(50, parsed.Value("isr_concurrent_total", ("series", "49")));
        }
    }

    [Fact]
    public async Task CollectAsync_DuringAnotherScrape_WaitsThenRunsItsOwnCollection()
    {
        using var harness = MeterHarness.Start();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var gate = new ManualResetEventSlim(false);
        var collections = 0;
        harness.Meter.CreateObservableGauge("isr.slow", () =>
        {
            var n = Interlocked.Increment(ref collections);
            if (n == 1)
            {
                entered.TrySetResult();
                gate.Wait(TimeSpan.FromSeconds(30));
            }

            return n;
        });

        var first = Task.Run(harness.ScrapeAsync);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var second = harness.ScrapeAsync();
        var secondWaited = !second.IsCompleted;
        gate.Set();
        var results = await Task.WhenAll(first, second);

        Assert.True(secondWaited, "The second scrape finished while the first was still collecting.");
        Assert.Equal(1, results[0].Value("isr_slow"));
        Assert.Equal(2, results[1].Value("isr_slow"));
    }

    [Fact]
    public async Task CollectAsync_OutputOverLimit_ThrowsNamingLimit()
    {
        using var harness = MeterHarness.Start(reader: new PrometheusMetricReader(maxOutputBytes: 1024));
        var counter = harness.Meter.CreateCounter<long>("isr.wide");
        for (var i = 0; i < 100; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("path", $"/a/rather/long/path/number/{i}"));
        }

        var error = await Assert.ThrowsAsync<MetricsCollectionException>(() => harness.Reader.CollectAsync(CancellationToken.None));

        Assert.Contains("limit of 1024 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectAsync_AfterFailedScrape_NextScrapeRunsAndFailsTheSameWay()
    {
        using var harness = MeterHarness.Start(reader: new PrometheusMetricReader(maxOutputBytes: 1024));
        var counter = harness.Meter.CreateCounter<long>("isr.wide");
        for (var i = 0; i < 100; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("path", $"/a/rather/long/path/number/{i}"));
        }

        await Assert.ThrowsAsync<MetricsCollectionException>(() => harness.Reader.CollectAsync(CancellationToken.None));

        // A scrape lock left held by the failure would make this wait forever instead of failing again.
        var second = harness.Reader.CollectAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<MetricsCollectionException>(() => second);
        Assert.Contains("limit of 1024 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollectAsync_CanceledToken_Throws()
    {
        using var harness = MeterHarness.Start();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Reader.CollectAsync(cts.Token));
    }

    [Fact]
    public async Task CollectAsync_AfterProviderDisposed_Throws()
    {
        var harness = MeterHarness.Start();
        harness.Meter.CreateCounter<long>("isr.gone").Add(1);
        harness.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => harness.Reader.CollectAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CollectAsync_Output_IsUtf8WithTrailingNewline()
    {
        using var harness = MeterHarness.Start();
        harness.Meter.CreateCounter<long>("isr.utf8").Add(1, new KeyValuePair<string, object?>("name", "Zoë"));

        using var scrape = await harness.Reader.CollectAsync(CancellationToken.None);

        var bytes = scrape.Content.ToArray();
        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.Contains("name=\"Zoë\"", new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100, 1000)]
    [InlineData(4096, 0)]
    public void Constructor_InvalidLimits_AreRejected(int maxOutputBytes, int collectTimeoutMilliseconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrometheusMetricReader(maxOutputBytes, collectTimeoutMilliseconds));
    }

    [Fact]
    public void Constructor_Default_IsCumulative()
    {
        using var reader = new PrometheusMetricReader();

        Assert.Equal(OpenTelemetry.Metrics.MetricReaderTemporalityPreference.Cumulative, reader.TemporalityPreference);
    }
}
