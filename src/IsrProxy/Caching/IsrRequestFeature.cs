using IsrProxy.Rules;

namespace IsrProxy.Caching;

/// <summary>What the cache did with one request, for the response headers, the request log line and metrics.</summary>
internal sealed class IsrRequestFeature
{
    public CacheClass Class { get; set; } = CacheClass.Bypass;

    public BypassReason BypassReason { get; set; }

    /// <summary>This cache's RFC 9211 member, appended to the origin's Cache-Status on forwarded answers.</summary>
    public string? CacheStatusMember { get; set; }

    public RouteRule? Rule { get; set; }

    /// <summary>Time spent waiting on the origin for this request, when it waited.</summary>
    public TimeSpan? OriginDuration { get; set; }
}
