namespace IsrProxy.Caching.Http;

/// <summary>Every header name IsrProxy reads or writes, in one place.</summary>
internal static class IsrHeaders
{
    public const string XIsrCache = "X-Isr-Cache";
    public const string CacheStatus = "Cache-Status";
    public const string IsrProxyCacheControl = "IsrProxy-Cache-Control";
    public const string CdnCacheControl = "CDN-Cache-Control";
    public const string ServerTiming = "Server-Timing";

    public const string XIsrSecret = "X-Isr-Secret";
    public const string PrerenderRevalidate = "x-prerender-revalidate";

    /// <summary>How <c>next start</c> answered from its own cache: HIT, MISS, STALE or REVALIDATED.</summary>
    public const string NextJsCache = "x-nextjs-cache";

    /// <summary>Request headers a Next.js App Router page varies on; forwarded on fills so RSC payloads are rendered.</summary>
    public static readonly string[] NextRouterHeaders =
        ["rsc", "next-router-state-tree", "next-router-prefetch", "next-router-segment-prefetch", "next-url"];

    /// <summary>The query parameter Next.js adds to RSC requests; it always stays in the cache key.</summary>
    public const string NextRscQuery = "_rsc";

    /// <summary>The fixed User-Agent of cache fills: the client's own never shapes a shared page.</summary>
    public const string FillUserAgent = "IsrProxy";

    /// <summary>Hop-by-hop fields (RFC 9110 §7.6.1) and others that describe one connection, never stored or replayed.</summary>
    public static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Upgrade",
        "Proxy-Authenticate", "Proxy-Authorization", "Alt-Svc",
    };
}
