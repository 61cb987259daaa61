using Microsoft.Extensions.Configuration;

namespace IsrProxy.Configuration;

/// <summary>
/// One entry of <c>Isr:Routes</c> as bound. Union-typed keys are strings ("False", "60"); RuleCompiler parses
/// and validates them from the raw section, and its RouteRule is what the proxy uses.
/// </summary>
internal sealed class RouteRuleOptions
{
    public string? Match { get; set; }

    /// <summary><c>false</c>, <c>0</c> or seconds.</summary>
    public string? Revalidate { get; set; }

    /// <summary><c>auto</c>, <c>force-dynamic</c> or <c>force-static</c>.</summary>
    public string? Dynamic { get; set; }

    /// <summary><c>blocking</c> or <c>false</c>.</summary>
    public string? Fallback { get; set; }

    public List<string>? Tags { get; set; }

    public List<string>? Prerender { get; set; }

    public string? Sitemap { get; set; }

    public string? MaxDuration { get; set; }

    public string? NotFoundRevalidate { get; set; }

    public string? IgnoreOriginCacheControl { get; set; }

    public string? MaxStale { get; set; }

    /// <summary>
    /// The raw <c>Query</c> section: its Value is <c>include</c> or <c>ignore</c>, or its children are the names to
    /// keep. A section, not a string, because binding a list into a string property throws.
    /// </summary>
    public IConfigurationSection? Query { get; set; }

    public List<string>? Vary { get; set; }

    public List<string>? IgnoreCookies { get; set; }
}
