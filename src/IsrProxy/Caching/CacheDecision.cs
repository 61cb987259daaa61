using IsrProxy.Rules;

namespace IsrProxy.Caching;

/// <summary>
/// What the classifier decided for one request: the rule that applies, whether the cache is bypassed and why, and for
/// cacheable requests the primary key and the path and query the origin is asked for.
/// </summary>
internal readonly record struct CacheDecision(RouteRule Rule, BypassReason Bypass, string PrimaryKey, string PathAndQuery)
{
    public bool IsBypass => Bypass != BypassReason.None;
}
