using System.Diagnostics.Metrics;
using System.Net;
using IsrProxy.Observability;
using IsrProxy.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace IsrProxy.Tests.Unit.Observability;

[Collection(TestCollections.ProductMeters)]
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Get_Metrics_ServesParsableTextWithPrometheusContentType()
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.Services.AddIsrMetricsCollection(builder.Configuration);
        await using var app = builder.Build();
        app.MapPrometheusMetrics();
        using var client = await LoopbackApp.StartAsync(app);
        var meter = app.Services.GetRequiredService<IMeterFactory>().Create(MetricsServiceCollectionExtensions.IsrMeterName);
        meter.CreateCounter<long>("isr.test.endpoint", "{request}", "Requests seen by the endpoint test.")
            .Add(3, new KeyValuePair<string, object?>("cache_class", "HIT"));

        using var response = await client.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var parsed = PrometheusTextParser.Parse(body);
        Assert.Equal("Requests seen by the endpoint test.", parsed.Family("isr_test_endpoint_total").Help);
        Assert.Equal(3, parsed.Value("isr_test_endpoint_total", ("cache_class", "HIT"), ("otel_scope_name", "IsrProxy")));
    }

    [Fact]
    public async Task Get_Metrics_IncludesAspNetCoreKestrelHttpClientAndRuntimeMeters()
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.Services.AddIsrMetricsCollection(builder.Configuration);
        await using var app = builder.Build();
        app.MapPrometheusMetrics();
        using var client = await LoopbackApp.StartAsync(app);
        string[] expected =
        [
            "http_server_request_duration_seconds", "kestrel_active_connections", "http_client_request_duration_seconds",
            "dotnet_gc_heap_total_allocated_bytes_total", "dotnet_process_cpu_time_seconds_total",
        ];

        // The first request's own duration is recorded only after its response has gone out.
        PrometheusExposition? parsed = null;
        await Eventually.TrueAsync(
            async () =>
            {
                parsed = PrometheusTextParser.Parse(await client.GetStringAsync("/metrics"));
                return expected.All(parsed.Families.ContainsKey);
            },
            $"families {string.Join(", ", expected)} are exposed");

        Assert.NotNull(parsed);
        Assert.Equal("histogram", parsed.Family("http_server_request_duration_seconds").Type);
        Assert.Equal("gauge", parsed.Family("kestrel_active_connections").Type);
        Assert.Equal("counter", parsed.Family("dotnet_gc_heap_total_allocated_bytes_total").Type);
        Assert.NotEmpty(parsed.Find("http_server_request_duration_seconds_count", ("otel_scope_name", "Microsoft.AspNetCore.Hosting"), ("http_route", "/metrics")));
    }

    [Fact]
    public async Task Get_Metrics_OutputOverLimit_Returns500WithReason()
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.Services.AddSingleton(new PrometheusMetricReader(maxOutputBytes: 1024));
        builder.Services.AddIsrMetricsCollection(builder.Configuration);
        await using var app = builder.Build();
        app.MapPrometheusMetrics();
        using var client = await LoopbackApp.StartAsync(app);
        var counter = app.Services.GetRequiredService<IMeterFactory>().Create(MetricsServiceCollectionExtensions.IsrMeterName).CreateCounter<long>("isr.test.wide");
        for (var i = 0; i < 100; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("path", $"/a/rather/long/path/number/{i}"));
        }

        using var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("limit of 1024 bytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_CustomPattern_ServesMetricsThereOnly()
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.Services.AddIsrMetricsCollection(builder.Configuration);
        await using var app = builder.Build();
        app.MapPrometheusMetrics("/internal/metrics");
        using var client = await LoopbackApp.StartAsync(app);

        using var custom = await client.GetAsync("/internal/metrics");
        using var standard = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, custom.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, standard.StatusCode);
    }

    [Fact]
    public async Task MapPrometheusMetrics_WithoutAddIsrMetricsCollection_ThrowsNamingTheCall()
    {
        await using var app = LoopbackApp.CreateBuilder().Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapPrometheusMetrics());

        Assert.Contains("AddIsrMetricsCollection", error.Message, StringComparison.Ordinal);
        Assert.Contains("'/metrics'", error.Message, StringComparison.Ordinal);
    }
}
