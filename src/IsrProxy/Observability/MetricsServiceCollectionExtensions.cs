using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace IsrProxy.Observability;

internal static class MetricsServiceCollectionExtensions
{
    public const string IsrMeterName = "IsrProxy";

    /// <summary>The meters whose instruments are collected: ours, ASP.NET Core hosting and Kestrel, HttpClient, and the runtime's (GC, thread pool, JIT).</summary>
    public static IReadOnlyList<string> MeterNames { get; } =
    [
        IsrMeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "System.Net.Http",
        "System.Runtime",
    ];

    /// <summary>
    /// Registers a singleton OpenTelemetry <see cref="MeterProvider"/> (built at host start, disposed with the host)
    /// that feeds the <see cref="PrometheusMetricReader"/> served by <c>MapPrometheusMetrics</c>, and pushes over
    /// OTLP as well when <c>Isr:Otlp:Endpoint</c> is set.
    /// </summary>
    public static IServiceCollection AddIsrMetricsCollection(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddMetrics();
        services.AddOptions<OtlpExportOptions>()
            .Bind(configuration.GetSection(OtlpExportOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OtlpExportOptions>, OtlpExportOptionsValidator>());

        services.TryAddSingleton(_ => new PrometheusMetricReader());
        services.TryAddSingleton(CreateMeterProvider);
        services.AddHostedService<MeterProviderStartup>();
        return services;
    }

    private static MeterProvider CreateMeterProvider(IServiceProvider services)
    {
        var otlp = services.GetRequiredService<IOptions<OtlpExportOptions>>().Value;

        var builder = Sdk.CreateMeterProviderBuilder()
            .AddMeter([.. MeterNames])
            .AddReader(services.GetRequiredService<PrometheusMetricReader>());

        if (otlp.IsEnabled)
        {
            var endpoint = OtlpEndpoint(otlp);
            var protocol = otlp.UsesHttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            var intervalMilliseconds = otlp.ExportIntervalSeconds * 1000;
            builder.AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = endpoint;
                exporter.Protocol = protocol;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = intervalMilliseconds;
            });
        }

        return builder.Build();
    }

    // A URL set in code is used verbatim by the OTLP HTTP exporter, so a bare collector address gets the signal path.
    private static Uri OtlpEndpoint(OtlpExportOptions options)
    {
        var uri = new Uri(options.Endpoint ?? "", UriKind.Absolute);
        return options.UsesHttpProtobuf && uri.AbsolutePath == "/" ? new Uri(uri, "v1/metrics") : uri;
    }
}
