using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace IsrProxy.Observability;

internal static partial class MetricsEndpoint
{
    private const string LoggerCategory = "IsrProxy.Observability.MetricsEndpoint";
    private const string ErrorContentType = "text/plain; charset=utf-8";

    /// <summary>
    /// Serves the Prometheus text exposition (version 0.0.4) at <paramref name="pattern"/> for GET.
    /// Requires <see cref="MetricsServiceCollectionExtensions.AddIsrMetricsCollection"/>.
    /// </summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);

        var services = endpoints.ServiceProvider;
        var reader = services.GetService<PrometheusMetricReader>()
            ?? throw new InvalidOperationException(
                $"Mapping '{pattern}' needs a {nameof(PrometheusMetricReader)}: call services.{nameof(MetricsServiceCollectionExtensions.AddIsrMetricsCollection)}(configuration) first.");

        // The reader sees nothing until its provider exists; building it here also covers hosts without hosted services.
        services.GetRequiredService<MeterProvider>();

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(LoggerCategory);
        return endpoints
            .MapGet(pattern, context => ServeAsync(context, reader, logger))
            .WithDisplayName("Prometheus metrics");
    }

    private static async Task ServeAsync(HttpContext context, PrometheusMetricReader reader, ILogger logger)
    {
        var ct = context.RequestAborted;
        var response = context.Response;
        response.Headers.CacheControl = "no-store";

        PrometheusScrape scrape;
        try
        {
            scrape = await reader.CollectAsync(ct);
        }
        catch (MetricsCollectionException ex)
        {
            Log.ScrapeFailed(logger, ex.Message, ex);
            response.StatusCode = StatusCodes.Status500InternalServerError;
            response.ContentType = ErrorContentType;
            await response.WriteAsync(ex.Message + "\n", ct);
            return;
        }

        using (scrape)
        {
            if (scrape.LeftOutMetrics > 0)
            {
                Log.MetricsLeftOut(logger, scrape.LeftOutMetrics);
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = PrometheusMetricReader.ContentType;
            response.ContentLength = scrape.Content.Length;
            await response.Body.WriteAsync(scrape.Content, ct);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9001, LogLevel.Warning, "Metrics scrape failed: {Reason}", EventName = "MetricsScrapeFailed")]
        public static partial void ScrapeFailed(ILogger logger, string reason, Exception exception);

        [LoggerMessage(9002, LogLevel.Warning, "{Count} metric streams were left out of the scrape: exponential histogram, delta temporality, or a name already used by a metric of another type", EventName = "MetricsLeftOut")]
        public static partial void MetricsLeftOut(ILogger logger, int count);
    }
}
