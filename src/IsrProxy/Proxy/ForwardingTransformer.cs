using IsrProxy.Caching;
using IsrProxy.Caching.Http;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace IsrProxy.Proxy;

/// <summary>
/// YARP's default transform plus what a reverse proxy owes the origin and the client: X-Forwarded-* set from the
/// connection (client-sent ones are dropped, never trusted), and on the way back this cache's X-Isr-Cache and
/// Cache-Status member, without the origin's tag headers.
/// </summary>
internal sealed class ForwardingTransformer(string[] hiddenHeaders) : HttpTransformer
{
    private static readonly string[] ForwardedFields = ["X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix", "Forwarded"];

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        foreach (var name in ForwardedFields)
        {
            proxyRequest.Headers.Remove(name);
        }

        if (httpContext.Connection.RemoteIpAddress is { } remote)
        {
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-For", remote.ToString());
        }

        proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Proto", httpContext.Request.Scheme);
        if (httpContext.Request.Host.HasValue)
        {
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Host", httpContext.Request.Host.ToUriComponent());
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        foreach (var name in hiddenHeaders)
        {
            httpContext.Response.Headers.Remove(name);                  // tag headers are for this cache, not clients
        }

        if (httpContext.Features.Get<IsrRequestFeature>() is { } feature)
        {
            var headers = httpContext.Response.Headers;
            headers[IsrHeaders.XIsrCache] = feature.Class.Label();
            if (feature.CacheStatusMember is { } member)
            {
                headers[IsrHeaders.CacheStatus] = CacheStatusHeader.Append(headers[IsrHeaders.CacheStatus].ToString(), member);
            }
        }

        return proceed;
    }
}
