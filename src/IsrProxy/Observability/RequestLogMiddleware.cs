using IsrProxy.Caching;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Observability;

/// <summary>
/// One structured line per request at Information, built from named fields only: method, path (never the query
/// string, where <c>?secret=</c> may be), status, cache class, total and origin time. Also counts requests by class.
/// </summary>
internal sealed partial class RequestLogMiddleware(RequestDelegate next, IsrMetrics metrics, TimeProvider time, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var feature = context.Features.Get<IsrRequestFeature>();
            if (feature is not null)
            {
                metrics.Request(feature.Class);
            }

            if (logger.IsEnabled(LogLevel.Information))
            {
                Log.Request(
                    logger,
                    context.Request.Method,
                    context.Request.Path.Value ?? "/",
                    context.Response.StatusCode,
                    feature?.Class.Label() ?? "NONE",
                    Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 3),
                    feature?.OriginDuration is { } origin ? Math.Round(origin.TotalMilliseconds, 3) : null);
            }
        }
    }

    internal static partial class Log
    {
        /// <summary>The request line; the origin's time only when the request reached the origin.</summary>
        public static void Request(ILogger logger, string method, string path, int status, string cacheClass, double durationMs, double? originMs)
        {
            if (originMs is { } origin)
            {
                RequestWithOrigin(logger, method, path, status, cacheClass, durationMs, origin);
            }
            else
            {
                WithoutOrigin.Request(logger, method, path, status, cacheClass, durationMs);
            }
        }

        [LoggerMessage(EventIds.Request, LogLevel.Information, "{Method} {Path} {Status} {CacheClass} in {DurationMs} ms (origin {OriginMs} ms)", EventName = "Request")]
        private static partial void RequestWithOrigin(ILogger logger, string method, string path, int status, string cacheClass, double durationMs, double originMs);
    }

    // The same event (id and name) without the origin's time, for answers that never reached it.
    private static partial class WithoutOrigin
    {
        [LoggerMessage(EventIds.Request, LogLevel.Information, "{Method} {Path} {Status} {CacheClass} in {DurationMs} ms", EventName = "Request")]
        public static partial void Request(ILogger logger, string method, string path, int status, string cacheClass, double durationMs);
    }
}
