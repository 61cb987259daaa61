using System.Diagnostics.Metrics;
using IsrProxy.Observability;
using IsrProxy.Tests.Fixtures;
using OpenTelemetry.Metrics;

namespace IsrProxy.Tests.Unit.Observability;

public sealed class PrometheusTextWriterTests
{
    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    [Fact]
    public async Task Write_CounterWithTags_WritesTotalSeriesPerTagSet()
    {
        using var harness = MeterHarness.Start();
        var counter = harness.Meter.CreateCounter<long>("isr.requests", "{request}", "Requests by cache class.");
        counter.Add(3, Tag("cache_class", "HIT"));
        counter.Add(2, Tag("cache_class", "MISS"));
        counter.Add(1, Tag("cache_class", "HIT"));

        var text = await harness.ScrapeTextAsync();
        var parsed = PrometheusTextParser.Parse(text);

        var family = parsed.Family("isr_requests_total");
        Assert.Equal("counter", family.Type);
        Assert.Equal("Requests by cache class.", family.Help);
        Assert.Equal(4, parsed.Value("isr_requests_total", ("cache_class", "HIT")));
        Assert.Equal(2, parsed.Value("isr_requests_total", ("cache_class", "MISS")));
        Assert.Contains($"isr_requests_total{{cache_class=\"HIT\",otel_scope_name=\"{harness.MeterName}\"}} 4\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_TwoScrapes_CounterIsCumulative()
    {
        using var harness = MeterHarness.Start();
        var counter = harness.Meter.CreateCounter<long>("isr.purges");

        counter.Add(2);
        var first = await harness.ScrapeAsync();
        counter.Add(3);
        var second = await harness.ScrapeAsync();

        Assert.Equal(2, first.Value("isr_purges_total"));
        Assert.Equal(5, second.Value("isr_purges_total"));
    }

    [Fact]
    public async Task Write_DoubleCounter_KeepsFraction()
    {
        using var harness = MeterHarness.Start();
        harness.Meter.CreateCounter<double>("isr.cpu.time", "s").Add(0.25);

        var parsed = await harness.ScrapeAsync();

        Assert.Equal("counter", parsed.Family("isr_cpu_time_seconds_total").Type);
        Assert.Equal(0.25, parsed.Value("isr_cpu_time_seconds_total"));
    }

    [Fact]
    public async Task Write_UpDownCounter_IsGauge()
    {
        using var harness = MeterHarness.Start();
        var entries = harness.Meter.CreateUpDownCounter<long>("isr.store.entries", "{entry}", "Entries in the store.");
        entries.Add(5, Tag("store", "memory"));
        entries.Add(-2, Tag("store", "memory"));

        var parsed = await harness.ScrapeAsync();

        Assert.Equal("gauge", parsed.Family("isr_store_entries").Type);
        Assert.Equal(3, parsed.Value("isr_store_entries", ("store", "memory")));
    }

    [Fact]
    public async Task Write_ObservableGaugeAndGauge_AreGauges()
    {
        using var harness = MeterHarness.Start();
        harness.Meter.CreateObservableGauge("isr.store.size", () => new Measurement<double>(1536.5, Tag("store", "redis")), "By");
        harness.Meter.CreateGauge<long>("isr.regeneration.queue").Record(7);

        var parsed = await harness.ScrapeAsync();

        Assert.Equal("gauge", parsed.Family("isr_store_size_bytes").Type);
        Assert.Equal(1536.5, parsed.Value("isr_store_size_bytes", ("store", "redis")));
        Assert.Equal("gauge", parsed.Family("isr_regeneration_queue").Type);
        Assert.Equal(7, parsed.Value("isr_regeneration_queue"));
    }

    [Fact]
    public async Task Write_HistogramWithViewBoundaries_WritesCumulativeBucketsSumAndCount()
    {
        using var harness = MeterHarness.Start(b => b.AddView("isr.origin.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [0.1, 0.5, 1] }));
        var histogram = harness.Meter.CreateHistogram<double>("isr.origin.duration", "s", "Origin request duration.");
        foreach (var seconds in new[] { 0.05, 0.3, 0.3, 0.7, 2.0 })
        {
            histogram.Record(seconds, Tag("outcome", "ok"));
        }

        var text = await harness.ScrapeTextAsync();
        var parsed = PrometheusTextParser.Parse(text);

        const string name = "isr_origin_duration_seconds";
        Assert.Equal("histogram", parsed.Family(name).Type);
        var buckets = parsed.Find(name + "_bucket", ("outcome", "ok"));
        Assert.Equal(["0.1", "0.5", "1", "+Inf"], buckets.Select(b => b.Labels["le"]));
        Assert.Equal([1.0, 3.0, 4.0, 5.0], buckets.Select(b => b.Value));
        Assert.Equal(3.35, parsed.Value(name + "_sum", ("outcome", "ok")), 10);
        Assert.Equal(5, parsed.Value(name + "_count", ("outcome", "ok")));
        Assert.Contains($"{name}_bucket{{otel_scope_name=\"{harness.MeterName}\",outcome=\"ok\",le=\"0.5\"}} 3\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_HistogramWithoutBoundaries_WritesOnlyInfBucket()
    {
        using var harness = MeterHarness.Start(b => b.AddView("isr.body.size", new ExplicitBucketHistogramConfiguration { Boundaries = [] }));
        var histogram = harness.Meter.CreateHistogram<long>("isr.body.size", "By");
        histogram.Record(100);
        histogram.Record(300);

        var parsed = await harness.ScrapeAsync();

        var bucket = Assert.Single(parsed.Find("isr_body_size_bytes_bucket"));
        Assert.Equal("+Inf", bucket.Labels["le"]);
        Assert.Equal(2, bucket.Value);
        Assert.Equal(400, parsed.Value("isr_body_size_bytes_sum"));
    }

    [Fact]
    public async Task Write_HistogramTagNamedLe_IsRenamed()
    {
        using var harness = MeterHarness.Start();
        harness.Meter.CreateHistogram<double>("isr.wait").Record(1, Tag("le", "mine"));

        var parsed = await harness.ScrapeAsync();

        Assert.All(parsed.Find("isr_wait_bucket"), b => Assert.Equal("mine", b.Labels[PrometheusLabelSet.RenamedLeLabel]));
        Assert.Equal(1, parsed.Value("isr_wait_count", (PrometheusLabelSet.RenamedLeLabel, "mine")));
    }

    [Fact]
    public async Task Write_LabelValueWithQuoteBackslashNewline_IsEscapedAndRoundTrips()
    {
        using var harness = MeterHarness.Start();
        const string awkward = "a\"b\\c\nd é";
        harness.Meter.CreateCounter<long>("isr.odd").Add(1, Tag("path", awkward));

        var text = await harness.ScrapeTextAsync();
        var parsed = PrometheusTextParser.Parse(text);

        Assert.Contains("path=\"a\\\"b\\\\c\\nd é\"", text, StringComparison.Ordinal);
        Assert.Equal(1, parsed.Value("isr_odd_total", ("path", awkward)));
    }

    [Fact]
    public async Task Write_HelpWithBackslashAndNewline_IsEscaped()
    {
        using var harness = MeterHarness.Start();
        harness.Meter.CreateCounter<long>("isr.helpful", description: "Line one\nback\\slash \"quoted\"").Add(1);

        var text = await harness.ScrapeTextAsync();
        var parsed = PrometheusTextParser.Parse(text);

        Assert.Contains("# HELP isr_helpful_total Line one\\nback\\\\slash \"quoted\"\n", text, StringComparison.Ordinal);
        Assert.Equal("Line one\nback\\slash \"quoted\"", parsed.Family("isr_helpful_total").Help);
    }

    [Fact]
    public async Task Write_NoDescription_WritesTypeWithoutHelp()
    {
        using var harness = MeterHarness.Start();
        harness.Meter.CreateCounter<long>("isr.quiet").Add(1);

        var text = await harness.ScrapeTextAsync();

        Assert.DoesNotContain("# HELP", text, StringComparison.Ordinal);
        Assert.Null(PrometheusTextParser.Parse(text).Family("isr_quiet_total").Help);
    }

    [Fact]
    public async Task Write_UnitsOnRealInstruments_AreAppendedOnce()
    {
        using var harness = MeterHarness.Start();
        harness.Meter.CreateCounter<long>("isr.store.written", "By").Add(10);
        harness.Meter.CreateCounter<long>("isr.store.read.bytes", "By").Add(20);
        harness.Meter.CreateUpDownCounter<long>("isr.origin.wait", "ms").Add(30);
        harness.Meter.CreateCounter<long>("isr.retries", "{retry}").Add(40);

        var parsed = await harness.ScrapeAsync();

        Assert.Equal(10, parsed.Value("isr_store_written_bytes_total"));
        Assert.Equal(20, parsed.Value("isr_store_read_bytes_total"));
        Assert.Equal(30, parsed.Value("isr_origin_wait_milliseconds"));
        Assert.Equal(40, parsed.Value("isr_retries_total"));
    }

    [Fact]
    public async Task Write_NamesAndTagKeysWithDotsAndDashes_AreSanitised()
    {
        using var harness = MeterHarness.Start();
        harness.Meter.CreateCounter<long>("isr.cache-fills").Add(1, Tag("cache.class", "HIT"), Tag("http-method", "GET"));

        var parsed = await harness.ScrapeAsync();

        Assert.Equal(1, parsed.Value("isr_cache_fills_total", ("cache_class", "HIT"), ("http_method", "GET")));
    }

    [Fact]
    public async Task Write_TagKeysSanitisingToSameName_JoinsValuesInKeyOrder()
    {
        using var harness = MeterHarness.Start();
        harness.Meter.CreateCounter<long>("isr.clash").Add(1, Tag("a_b", "second"), Tag("a.b", "first"));

        var parsed = await harness.ScrapeAsync();

        Assert.Equal(1, parsed.Value("isr_clash_total", ("a_b", "first;second")));
    }

    [Fact]
    public async Task Write_NonStringTags_UseInvariantText()
    {
        using var harness = MeterHarness.Start();
        harness.Meter.CreateCounter<long>("isr.typed").Add(1, Tag("status", 503), Tag("ok", false), Tag("ratio", 0.5));

        var parsed = await harness.ScrapeAsync();

        Assert.Equal(1, parsed.Value("isr_typed_total", ("status", "503"), ("ok", "false"), ("ratio", "0.5")));
    }

    [Fact]
    public async Task Write_SpecialDoubles_RoundTrip()
    {
        using var harness = MeterHarness.Start();
        harness.Meter.CreateObservableGauge("isr.values", () => new[]
        {
            new Measurement<double>(double.PositiveInfinity, Tag("v", "pinf")),
            new Measurement<double>(double.NegativeInfinity, Tag("v", "ninf")),
            new Measurement<double>(double.NaN, Tag("v", "nan")),
            new Measurement<double>(1e-7, Tag("v", "tiny")),
            new Measurement<double>(0.1, Tag("v", "tenth")),
            new Measurement<double>(123456789.123456789, Tag("v", "long")),
        });

        var text = await harness.ScrapeTextAsync();
        var parsed = PrometheusTextParser.Parse(text);

        Assert.Contains("v=\"pinf\"} +Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("v=\"ninf\"} -Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("v=\"nan\"} NaN\n", text, StringComparison.Ordinal);
        Assert.Equal(double.PositiveInfinity, parsed.Value("isr_values", ("v", "pinf")));
        Assert.Equal(double.NegativeInfinity, parsed.Value("isr_values", ("v", "ninf")));
        Assert.True(double.IsNaN(parsed.Value("isr_values", ("v", "nan"))));
        Assert.Equal(1e-7, parsed.Value("isr_values", ("v", "tiny")));
        Assert.Equal(0.1, parsed.Value("isr_values", ("v", "tenth")));
        Assert.Equal(123456789.123456789, parsed.Value("isr_values", ("v", "long")));
    }

    [Fact]
    public async Task Write_MeterVersion_IsScopeVersionLabel()
    {
        using var harness = MeterHarness.Start(meterVersion: "1.2.3");
        harness.Meter.CreateCounter<long>("isr.versioned").Add(1);

        var parsed = await harness.ScrapeAsync();

        Assert.Equal(1, parsed.Value("isr_versioned_total", ("otel_scope_name", harness.MeterName), ("otel_scope_version", "1.2.3")));
    }

    [Fact]
    public async Task Write_ScopeLabelsDisabled_WritesOnlyTags()
    {
        using var harness = MeterHarness.Start(reader: new PrometheusMetricReader(includeScopeLabels: false));
        harness.Meter.CreateCounter<long>("isr.bare").Add(1, Tag("k", "v"));

        var parsed = await harness.ScrapeAsync();

        var sample = Assert.Single(parsed.Find("isr_bare_total"));
        Assert.Equal(["k"], sample.Labels.Keys);
    }

    [Fact]
    public async Task Write_SameNameFromTwoMeters_IsOneFamily()
    {
        using var other = new Meter($"IsrProxy.Tests.{Guid.NewGuid():N}");
        using var harness = MeterHarness.Start(b => b.AddMeter(other.Name));
        harness.Meter.CreateCounter<long>("isr.shared").Add(1);
        other.CreateCounter<long>("isr.shared").Add(2);

        var text = await harness.ScrapeTextAsync();
        var parsed = PrometheusTextParser.Parse(text);

        Assert.Single(text.Split('\n'), l => l.StartsWith("# TYPE isr_shared_total", StringComparison.Ordinal));
        Assert.Equal(1, parsed.Value("isr_shared_total", ("otel_scope_name", harness.MeterName)));
        Assert.Equal(2, parsed.Value("isr_shared_total", ("otel_scope_name", other.Name)));
    }

    [Fact]
    public async Task Write_SameNameDifferentType_DropsLaterStreamAndCountsIt()
    {
        using var harness = MeterHarness.Start();
        harness.Meter.CreateCounter<long>("isr.conflict").Add(1);
        harness.Meter.CreateUpDownCounter<long>("isr.conflict.total").Add(9);

        using var scrape = await harness.Reader.CollectAsync(CancellationToken.None);
        var parsed = PrometheusTextParser.Parse(System.Text.Encoding.UTF8.GetString(scrape.Content.Span));

        Assert.Equal(1, scrape.LeftOutMetrics);
        Assert.Equal("counter", parsed.Family("isr_conflict_total").Type);
        Assert.Equal(1, parsed.Value("isr_conflict_total"));
    }

    [Fact]
    public async Task Write_ExponentialHistogram_IsLeftOut()
    {
        using var harness = MeterHarness.Start(b => b.AddView("isr.exp", new Base2ExponentialBucketHistogramConfiguration()));
        harness.Meter.CreateHistogram<double>("isr.exp").Record(1);
        harness.Meter.CreateCounter<long>("isr.kept").Add(1);

        using var scrape = await harness.Reader.CollectAsync(CancellationToken.None);
        var parsed = PrometheusTextParser.Parse(System.Text.Encoding.UTF8.GetString(scrape.Content.Span));

        Assert.Equal(1, scrape.LeftOutMetrics);
        Assert.Equal(["isr_kept_total"], parsed.Families.Keys);
    }

    [Fact]
    public async Task Write_NoInstruments_IsEmptyAndValid()
    {
        using var harness = MeterHarness.Start();

        var text = await harness.ScrapeTextAsync();

        Assert.Equal("", text);
    }
}
