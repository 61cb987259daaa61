using IsrProxy.Caching;
using IsrProxy.Caching.Http;
using IsrProxy.Configuration;
using IsrProxy.Observability;
using IsrProxy.Rules;
using IsrProxy.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace IsrProxy.Proxy;

/// <summary>
/// Sends a request to the origin as it is, through YARP: any method, streamed bodies, websockets and upgrades. Used for
/// every bypassed request and for a waiter that cannot share a fill (a private or too-large answer).
/// </summary>
internal sealed partial class OriginForwarder(
    IHttpForwarder forwarder,
    OriginEndpoint origin,
    TagClock clock,
    TimeProvider time,
    IsrMetrics metrics,
    IOptions<IsrOptions> options,
    ILogger<OriginForwarder> logger)
{
    private readonly ForwardingTransformer _transformer = new(options.Value.TagHeaders.Hidden());
    private readonly TimeSpan _defaultTimeout = TimeSpan.FromSeconds(options.Value.Proxy.DefaultMaxDurationSeconds);

    public async Task ForwardAsync(HttpContext context, RouteRule rule)
    {
        var started = time.GetTimestamp();
        var config = new ForwarderRequestConfig { ActivityTimeout = rule.MaxDuration ?? _defaultTimeout };
        var error = await forwarder.SendAsync(context, origin.Prefix, origin.Invoker, config, _transformer);
        var elapsed = time.GetElapsedTime(started);
        var feature = context.Features.Get<IsrRequestFeature>();
        if (feature is not null)
        {
            feature.OriginDuration = elapsed;
        }

        if (error != ForwarderError.None)
        {
            var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            Log.OriginFailed(logger, error, context.Request.Method, context.Request.Path.Value ?? "/", exception);
            metrics.OriginFailed(OriginPurpose.Forward, error == ForwarderError.RequestTimedOut ? "timeout" : "unreachable");
            if (!context.Response.HasStarted && feature is not null)
            {
                // YARP answered 502/504 itself: the answer still says what the cache did.
                context.Response.Headers[IsrHeaders.XIsrCache] = feature.Class.Label();
                if (feature.CacheStatusMember is { } member)
                {
                    context.Response.Headers[IsrHeaders.CacheStatus] = member;
                }
            }

            return;
        }

        metrics.OriginAnswered(OriginPurpose.Forward, context.Response.StatusCode, elapsed);

        // RFC 9111 §4.4: a successful unsafe request invalidates the URL (Next.js Server Actions POST to the page).
        var method = context.Request.Method;
        var status = context.Response.StatusCode;
        if (status is >= 200 and < 400 && (HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method)))
        {
            clock.MarkStale(ClockKeys.Path(context.Request.Path.Value ?? "/"), time.GetUtcNow());
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.OriginFailed, LogLevel.Warning, "Forwarding {Method} {Path} to the origin failed: {Error}", EventName = "OriginFailed")]
        public static partial void OriginFailed(ILogger logger, ForwarderError error, string method, string path, Exception? exception);
    }
}
