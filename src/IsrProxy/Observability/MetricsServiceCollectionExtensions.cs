using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace IsrProxy.Observability;

internal static class MetricsServiceCollectionExtensions
{
    public const string IsrMeterName = "IsrProxy";

    /// <summary>Where Prometheus scrapes.</summary>
    public const string ScrapePath = "/metrics";

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
    /// Registers the OpenTelemetry meter provider (started with the host, disposed with it) with the Prometheus
    /// exporter served by <see cref="MapIsrMetrics"/>, and an OTLP push as well when <c>Isr:Otlp:Endpoint</c> is set.
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

        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics
                .AddMeter([.. MeterNames])
                .AddPrometheusExporter(prometheus =>
                {
                    prometheus.ScrapeEndpointPath = ScrapePath;
                    // Every scrape collects afresh: a counter read right after a request shows it.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                });

            // The provider is built when /metrics is mapped, before the host validates its options; settings that do
            // not validate add no reader here and stop the start with their message there.
            var otlp = new OtlpExportOptions();
            configuration.GetSection(OtlpExportOptions.Section).Bind(otlp);
            if (otlp.IsEnabled && new OtlpExportOptionsValidator().Validate(null, otlp).Succeeded)
            {
                metrics.AddReader(CreateOtlpReader(otlp));
            }
        });
        return services;
    }

    /// <summary>Serves the Prometheus exposition (or OpenMetrics, when the scraper asks for it) at <c>/metrics</c>.</summary>
    public static IEndpointConventionBuilder MapIsrMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints
            .MapPrometheusScrapingEndpoint(ScrapePath, meterProvider: null, configureBranchedPipeline: NoStore, optionsName: null)
            .WithDisplayName("Prometheus metrics");
    }

    // A scrape is a reading of the moment: nothing between Prometheus and the proxy may keep it.
    private static void NoStore(IApplicationBuilder pipeline) => pipeline.Use((context, next) =>
    {
        context.Response.Headers.CacheControl = "no-store";
        return next(context);
    });

    private static PeriodicExportingMetricReader CreateOtlpReader(OtlpExportOptions options)
    {
        var exporter = new OtlpMetricExporter(new OtlpExporterOptions
        {
            Endpoint = OtlpEndpoint(options),
            Protocol = options.UsesHttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc,
        });
        return new PeriodicExportingMetricReader(exporter, options.ExportIntervalSeconds * 1000)
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
        };
    }

    // A URL set in code is used verbatim by the OTLP HTTP exporter, so a bare collector address gets the signal path.
    private static Uri OtlpEndpoint(OtlpExportOptions options)
    {
        var uri = new Uri(options.Endpoint ?? "", UriKind.Absolute);
        return options.UsesHttpProtobuf && uri.AbsolutePath == "/" ? new Uri(uri, "v1/metrics") : uri;
    }
}
