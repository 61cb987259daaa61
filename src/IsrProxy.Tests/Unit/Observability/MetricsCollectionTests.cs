using System.Diagnostics.Metrics;
using System.Text;
using IsrProxy.Observability;
using IsrProxy.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace IsrProxy.Tests.Unit.Observability;

[Collection(TestCollections.ProductMeters)]
public sealed class MetricsCollectionTests
{
    private static IHost BuildHost(Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Services.AddIsrMetricsCollection(builder.Configuration);
        return builder.Build();
    }

    private static Counter<long> IsrCounter(IHost host, string name) =>
        host.Services.GetRequiredService<IMeterFactory>().Create(MetricsServiceCollectionExtensions.IsrMeterName).CreateCounter<long>(name);

    [Fact]
    public async Task StartHost_BeforeAnyScrape_ProviderAlreadyListens()
    {
        using var host = BuildHost();
        await host.StartAsync();
        IsrCounter(host, "isr.test.started").Add(2);

        using var scrape = await host.Services.GetRequiredService<PrometheusMetricReader>().CollectAsync(CancellationToken.None);
        var parsed = PrometheusTextParser.Parse(Encoding.UTF8.GetString(scrape.Content.Span));

        Assert.Equal(2, parsed.Value("isr_test_started_total"));
        await host.StopAsync();
    }

    [Fact]
    public async Task DisposeHost_ProviderIsShutDown()
    {
        var host = BuildHost();
        await host.StartAsync();
        var reader = host.Services.GetRequiredService<PrometheusMetricReader>();
        await host.StopAsync();

        host.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => reader.CollectAsync(CancellationToken.None));
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

        using var host = BuildHost(new()
        {
            ["Isr:Otlp:Endpoint"] = collectorClient.BaseAddress?.ToString(),
            ["Isr:Otlp:Protocol"] = "http/protobuf",
        });
        await host.StartAsync();
        IsrCounter(host, "isr.test.otlp_pushes").Add(1);

        host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
        var (contentType, body) = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("application/x-protobuf", contentType);
        Assert.True(body.AsSpan().IndexOf("isr.test.otlp_pushes"u8) >= 0, "The OTLP request does not carry the recorded instrument.");
        await host.StopAsync();
    }

    [Fact]
    public async Task StartHost_OtlpEndpointNotAbsolute_FailsNamingKeyAndValue()
    {
        using var host = BuildHost(new() { ["Isr:Otlp:Endpoint"] = "localhost:4317" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Isr:Otlp:Endpoint: 'localhost:4317' is not an absolute http or https URL.", error.Failures);
    }
}
