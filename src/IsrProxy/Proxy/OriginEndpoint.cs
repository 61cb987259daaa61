using System.Net;
using IsrProxy.Configuration;
using Microsoft.Extensions.Options;

namespace IsrProxy.Proxy;

/// <summary>
/// The origin's address and the one connection pool used to reach it, shared by YARP (bypassed requests) and cache
/// fills. Built for proxying, as YARP's own client factory does: no proxy, no redirects, no decompression, no cookies.
/// </summary>
internal sealed class OriginEndpoint : IDisposable
{
    public OriginEndpoint(IOptions<IsrOptions> options)
    {
        var origin = options.Value.Origin ?? throw new InvalidOperationException("Isr:Origin is not set.");
        BaseUri = new Uri(origin.EndsWith('/') ? origin : origin + "/", UriKind.Absolute);
        Prefix = origin.TrimEnd('/');
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            ActivityHeadersPropagator = null,
        }, disposeHandler: true);
        if (Uri.TryCreate(options.Value.Proxy.PublicUrl, UriKind.Absolute, out var publicUrl))
        {
            PublicHost = publicUrl.Authority;
            PublicScheme = publicUrl.Scheme;
        }
    }

    public Uri BaseUri { get; }

    /// <summary>The origin URL without a trailing slash, as YARP's destination prefix.</summary>
    public string Prefix { get; }

    public HttpMessageInvoker Invoker { get; }

    /// <summary>The public host name sent as X-Forwarded-Host on cache fills, when configured.</summary>
    public string? PublicHost { get; }

    public string? PublicScheme { get; }

    public Uri Resolve(string pathAndQuery) => new(Prefix + pathAndQuery, UriKind.Absolute);

    public void Dispose() => Invoker.Dispose();
}
