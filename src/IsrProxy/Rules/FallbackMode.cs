namespace IsrProxy.Rules;

/// <summary>What happens to a path of a rule that is not in the cache yet (Next.js <c>fallback</c>).</summary>
internal enum FallbackMode
{
    /// <summary>Rendered by the origin on its first request and stored.</summary>
    Blocking,

    /// <summary>Only the rule's Prerender and Sitemap paths are served; any other path answers 404.</summary>
    False,
}
