using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace IsrProxy.Observability;

/// <summary>
/// Makes the container build the <see cref="MeterProvider"/> when the host starts, so instruments are
/// listened to from the first request on rather than from the first scrape. The container disposes the
/// provider with the host, which shuts down its readers and flushes the OTLP exporter.
/// </summary>
internal sealed class MeterProviderStartup : IHostedService
{
    public MeterProviderStartup(MeterProvider meterProvider)
    {
        // Depending on the provider is the whole job: resolving this service builds it.
        ArgumentNullException.ThrowIfNull(meterProvider);
    }

    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
