using System.Collections.Frozen;

namespace IsrProxy.Rules;

/// <summary>One compiled, immutable entry of <c>Isr:Routes</c>.</summary>
internal sealed class RouteRule
{
    /// <summary>Next.js's default <c>expireTime</c>: the longest a stale page is served.</summary>
    public static readonly TimeSpan DefaultMaxStale = TimeSpan.FromDays(365);

    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _ignoredCookieNames;
    private readonly string[] _ignoredCookiePrefixes;

    /// <param name="index">Position in <c>Isr:Routes</c>; -1 for the built-in default.</param>
    /// <param name="match">The route pattern; must parse (see <see cref="RoutePattern"/>).</param>
    /// <param name="notFoundRevalidateIndefinite">
    /// True when <c>NotFoundRevalidate</c> was configured as <c>false</c>: 404/410 answers are kept until purged.
    /// </param>
    public RouteRule(
        int index,
        string match,
        TimeSpan? revalidate = null,
        DynamicMode dynamic = DynamicMode.Auto,
        FallbackMode fallback = FallbackMode.Blocking,
        IEnumerable<string>? tags = null,
        IEnumerable<string>? prerender = null,
        string? sitemap = null,
        TimeSpan? maxDuration = null,
        TimeSpan? notFoundRevalidate = null,
        bool notFoundRevalidateIndefinite = false,
        bool ignoreOriginCacheControl = false,
        TimeSpan? maxStale = null,
        QueryMode query = QueryMode.Include,
        IEnumerable<string>? queryAllow = null,
        IEnumerable<string>? vary = null,
        IEnumerable<string>? ignoreCookies = null)
    {
        if (!RoutePattern.TryParse(match, out var pattern, out var error))
        {
            throw new ArgumentException(error, nameof(match));
        }

        if (notFoundRevalidateIndefinite && notFoundRevalidate is not null)
        {
            throw new ArgumentException(
                $"NotFoundRevalidate is both {notFoundRevalidate} and false (indefinite).",
                nameof(notFoundRevalidateIndefinite));
        }

        Index = index;
        Match = match;
        Pattern = pattern;
        Revalidate = revalidate;
        Dynamic = dynamic;
        Fallback = fallback;
        Tags = Distinct(tags);
        Prerender = Distinct(prerender);
        PrerenderSet = Prerender.ToFrozenSet(StringComparer.Ordinal);
        Sitemap = sitemap;
        MaxDuration = maxDuration;
        NotFoundRevalidate = notFoundRevalidate;
        EffectiveNotFoundRevalidate = notFoundRevalidateIndefinite ? null : notFoundRevalidate ?? revalidate;
        IgnoreOriginCacheControl = ignoreOriginCacheControl;
        MaxStale = maxStale ?? DefaultMaxStale;
        Query = query;
        QueryAllow = (queryAllow ?? []).ToFrozenSet(StringComparer.Ordinal);
        Vary = (vary ?? [])
            .Select(name => name.ToLowerInvariant())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
        IgnoreCookies = (ignoreCookies ?? []).ToFrozenSet(StringComparer.Ordinal);
        _ignoredCookieNames = IgnoreCookies
            .Where(name => !name.EndsWith('*'))
            .ToFrozenSet(StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();
        _ignoredCookiePrefixes = IgnoreCookies
            .Where(name => name.EndsWith('*'))
            .Select(name => name[..^1])
            .ToArray();
    }

    /// <summary>
    /// The rule for paths no configured rule matches: their answers are stored only when the origin gives explicit
    /// freshness (s-maxage, max-age, Expires or a targeted field), for as long as it says.
    /// </summary>
    public static RouteRule Default { get; } = new(-1, "/**");

    /// <summary>Position in <c>Isr:Routes</c>; -1 for <see cref="Default"/>.</summary>
    public int Index { get; }

    /// <summary>True for <see cref="Default"/>: no configured rule matched.</summary>
    public bool IsDefault => Index < 0;

    public string Match { get; }

    public RoutePattern Pattern { get; }

    /// <summary>Null: <c>false</c>, cached indefinitely. <see cref="TimeSpan.Zero"/>: never cached.</summary>
    public TimeSpan? Revalidate { get; }

    public DynamicMode Dynamic { get; }

    public FallbackMode Fallback { get; }

    public IReadOnlyList<string> Tags { get; }

    /// <summary>Absolute paths to fetch at startup, in configured order without repeats.</summary>
    public IReadOnlyList<string> Prerender { get; }

    /// <summary><see cref="Prerender"/> for ordinal lookups.</summary>
    public FrozenSet<string> PrerenderSet { get; }

    /// <summary>A path on the origin ("/sitemap.xml") or an absolute URL.</summary>
    public string? Sitemap { get; }

    /// <summary>Origin timeout for this route; null uses <c>Isr:Proxy:DefaultMaxDurationSeconds</c>.</summary>
    public TimeSpan? MaxDuration { get; }

    /// <summary>
    /// The configured number for 404/410 answers; null when not configured as a number (absent or <c>false</c>).
    /// Use <see cref="EffectiveNotFoundRevalidate"/> to decide.
    /// </summary>
    public TimeSpan? NotFoundRevalidate { get; }

    /// <summary>
    /// What applies to 404/410 answers, with the meaning of <see cref="Revalidate"/>: the configured
    /// <c>NotFoundRevalidate</c>, else <see cref="Revalidate"/>.
    /// </summary>
    public TimeSpan? EffectiveNotFoundRevalidate { get; }

    public bool IgnoreOriginCacheControl { get; }

    public TimeSpan MaxStale { get; }

    public QueryMode Query { get; }

    /// <summary>Query parameter names kept when <see cref="Query"/> is <see cref="QueryMode.Allow"/>.</summary>
    public FrozenSet<string> QueryAllow { get; }

    /// <summary>Request header names that split the cache: lower-case, distinct, in ordinal order.</summary>
    public IReadOnlyList<string> Vary { get; }

    /// <summary>Cookie names that do not cause a bypass, as configured; an entry ending in '*' is a prefix.</summary>
    public FrozenSet<string> IgnoreCookies { get; }

    public bool IsNeverCached => Dynamic == DynamicMode.ForceDynamic || Revalidate == TimeSpan.Zero;

    /// <summary>Whether a request cookie of this name may be ignored (ordinal: cookie names are case-sensitive).</summary>
    public bool IsCookieIgnored(ReadOnlySpan<char> cookieName)
    {
        if (_ignoredCookieNames.Contains(cookieName))
        {
            return true;
        }

        foreach (var prefix in _ignoredCookiePrefixes)
        {
            if (cookieName.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Index < 0 ? $"default ({Match})" : $"Isr:Routes:{Index} ({Match})";

    private static string[] Distinct(IEnumerable<string>? values) =>
        (values ?? []).Distinct(StringComparer.Ordinal).ToArray();
}
