using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using IsrProxy.Observability;
using IsrProxy.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace IsrProxy.Tests.Unit.Observability;

[Collection(TestCollections.ProductMeters)]
public sealed class MetricsCollectionTests
{
    private static WebApplication BuildApp(Dictionary<string, string?>? settings = null)
    {
        var builder = LoopbackApp.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Services.AddIsrMetricsCollection(builder.Configuration);
        var app = builder.Build();
        app.MapIsrMetrics();
        return app;
    }

    private static Counter<long> IsrCounter(WebApplication app, string name, string? unit = null, string? description = null) =>
        app.Services.GetRequiredService<IMeterFactory>().Create(MetricsServiceCollectionExtensions.IsrMeterName).CreateCounter<long>(name, unit, description);

    [Fact]
    public async Task StartHost_BeforeAnyScrape_ProviderAlreadyListens()
    {
        await using var app = BuildApp();
        using var client = await LoopbackApp.StartAsync(app);
        IsrCounter(app, "isr.test.started").Add(2);

        var parsed = PrometheusTextParser.Parse(await client.GetStringAsync("/metrics"));

        Assert.Equal(2, parsed.Value("isr_test_started_total", ("otel_scope_name", "IsrProxy")));
    }

    [Fact]
    public async Task Get_Metrics_ServesPrometheusText_WithHelpScopeAndFreshValues()
    {
        await using var app = BuildApp();
        using var client = await LoopbackApp.StartAsync(app);
        var counter = IsrCounter(app, "isr.test.endpoint", "{request}", "Requests seen by the endpoint test.");
        counter.Add(3, new KeyValuePair<string, object?>("cache_class", "HIT"));

        using var response = await client.GetAsync("/metrics");
        var parsed = PrometheusTextParser.Parse(await response.Content.ReadAsStringAsync());
        counter.Add(1, new KeyValuePair<string, object?>("cache_class", "HIT"));
        var next = PrometheusTextParser.Parse(await client.GetStringAsync("/metrics"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("Requests seen by the endpoint test.", parsed.Family("isr_test_endpoint_total").Help);
        Assert.Equal(3, parsed.Value("isr_test_endpoint_total", ("cache_class", "HIT"), ("otel_scope_name", "IsrProxy")));
        Assert.Equal(4, next.Value("isr_test_endpoint_total", ("cache_class", "HIT"), ("otel_scope_name", "IsrProxy")));
    }

    [Fact]
    public async Task Get_Metrics_AcceptingOpenMetrics_ServesOpenMetrics()
    {
        await using var app = BuildApp();
        using var client = await LoopbackApp.StartAsync(app);
        IsrCounter(app, "isr.test.negotiated").Add(1);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/openmetrics-text; version=1.0.0"));

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("isr_test_negotiated_total{", body, StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_Metrics_IncludesAspNetCoreKestrelHttpClientAndRuntimeMeters()
    {
        await using var app = BuildApp();
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
                using (var origin = new HttpClient())
                {
                    // An HttpClient call of this process, so its meter has a measurement.
                    using var _ = await origin.GetAsync(new Uri(client.BaseAddress!, "/healthz-none"));
                }

                parsed = PrometheusTextParser.Parse(await client.GetStringAsync("/metrics"));
                return expected.All(parsed.Families.ContainsKey)
                    && parsed.Find("http_server_request_duration_seconds_count", ("otel_scope_name", "Microsoft.AspNetCore.Hosting"), ("http_route", "/metrics")).Count > 0;
            },
            $"families {string.Join(", ", expected)} are exposed, with the scrapes themselves under http_route=\"/metrics\"");

        Assert.NotNull(parsed);
        Assert.Equal("histogram", parsed.Family("http_server_request_duration_seconds").Type);
        Assert.Equal("gauge", parsed.Family("kestrel_active_connections").Type);
        Assert.Equal("counter", parsed.Family("dotnet_gc_heap_total_allocated_bytes_total").Type);
    }

    [Fact]
    public async Task StartHost_OtlpEndpointSet_PushesMetricsToCollector()
    {
        var received = new TaskCompletionSource<(string? ContentType, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var collectorBuilder = LoopbackApp.CreateBuilder();
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/metrics", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            received.TrySetResult((context.Request.ContentType, body.ToArray()));
            return Results.Ok();
        });
        using var collectorClient = await LoopbackApp.StartAsync(collector);

        await using var app = BuildApp(new()
        {
            ["Isr:Otlp:Endpoint"] = collectorClient.BaseAddress?.ToString(),
            ["Isr:Otlp:Protocol"] = "http/protobuf",
        });
        await app.StartAsync();
        IsrCounter(app, "isr.test.otlp_pushes").Add(1);

        app.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
        var (contentType, body) = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("application/x-protobuf", contentType);
        Assert.True(body.AsSpan().IndexOf("isr.test.otlp_pushes"u8) >= 0, "The OTLP request does not carry the recorded instrument.");
        await app.StopAsync();
    }

    [Fact]
    public async Task StartHost_OtlpEndpointNotAbsolute_FailsNamingKeyAndValue()
    {
        await using var app = BuildApp(new() { ["Isr:Otlp:Endpoint"] = "localhost:4317" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Isr:Otlp:Endpoint: 'localhost:4317' is not an absolute http or https URL.", error.Failures);
    }
}
