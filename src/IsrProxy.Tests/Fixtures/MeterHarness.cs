using System.Diagnostics.Metrics;
using System.Text;
using IsrProxy.Observability;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace IsrProxy.Tests.Fixtures;

/// <summary>
/// A real OpenTelemetry MeterProvider listening to one meter with a name no other test uses, read by a
/// <see cref="PrometheusMetricReader"/>.
/// </summary>
internal sealed class MeterHarness : IDisposable
{
    private readonly MeterProvider _provider;

    private MeterHarness(Meter meter, PrometheusMetricReader reader, MeterProvider provider)
    {
        Meter = meter;
        Reader = reader;
        _provider = provider;
    }

    public Meter Meter { get; }

    public PrometheusMetricReader Reader { get; }

    public string MeterName => Meter.Name;

    public static MeterHarness Start(Action<MeterProviderBuilder>? configure = null, PrometheusMetricReader? reader = null, string? meterVersion = null)
    {
        var meter = new Meter($"IsrProxy.Tests.{Guid.NewGuid():N}", meterVersion);
        reader ??= new PrometheusMetricReader();
        var builder = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddReader(reader);
        configure?.Invoke(builder);
        return new MeterHarness(meter, reader, builder.Build());
    }

    public async Task<string> ScrapeTextAsync()
    {
        using var scrape = await Reader.CollectAsync(CancellationToken.None);
        return Encoding.UTF8.GetString(scrape.Content.Span);
    }

    public async Task<PrometheusExposition> ScrapeAsync() => PrometheusTextParser.Parse(await ScrapeTextAsync());

    public void Dispose()
    {
        _provider.Dispose();
        Meter.Dispose();
    }
}
