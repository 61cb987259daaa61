using IsrProxy.Caching;
using IsrProxy.Caching.Http;
using IsrProxy.Rules;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.Proxy;

/// <summary>
/// A request a cache fill sends to the origin. Its result is shared by every client, so it carries only what the
/// cache key accounts for: the path and the kept query, the rule's and the origin's Vary headers, Next.js's router
/// headers (which Next declares in Vary), a normalised Accept-Encoding, and a fixed User-Agent. Cookies, credentials
/// and other client headers never reach a shared render.
/// </summary>
internal sealed record FillRequest(string PrimaryKey, string Path, string PathAndQuery, KeyValuePair<string, string>[] Headers)
{
    /// <summary>The request headers this URL is already known to vary on (from its Vary marker); the answer is stored as a variant.</summary>
    public string[] KnownVary { get; init; } = [];

    /// <summary>Request headers the client sent that a fill did not forward, kept so a Vary that names one can be honoured.</summary>
    public IReadOnlyDictionary<string, string> Withheld { get; init; } = EmptyWithheld;

    /// <summary>
    /// Next.js origins: this fill follows a purge, so it carries <c>x-prerender-revalidate</c> and Next renders instead of
    /// answering its own cached copy. The header is added by the origin client and never stored with the entry.
    /// </summary>
    public bool PrerenderRevalidate { get; init; }

    /// <summary>A fill for a rule's shared not-found page: only a 404 or 410 answer may be stored under its key.</summary>
    public bool NotFoundPage { get; init; }

    private static readonly Dictionary<string, string> EmptyWithheld = new(StringComparer.OrdinalIgnoreCase);

    public string? HeaderValue(string name)
    {
        foreach (var header in Headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }

    public static FillRequest FromClient(HttpRequest request, CacheDecision decision, string[] varyOn)
    {
        var headers = new List<KeyValuePair<string, string>>();
        var forwarded = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void Add(string name)
        {
            if (forwarded.Add(name) && CacheKeys.ForwardedValue(request.Headers, name) is { } value)
            {
                headers.Add(new(name.ToLowerInvariant(), value));
            }
        }

        foreach (var name in decision.Rule.Vary)
        {
            Add(name);
        }

        foreach (var name in varyOn)
        {
            Add(name);
        }

        foreach (var name in IsrHeaders.NextRouterHeaders)
        {
            Add(name);
        }

        Add("accept-encoding");
        var withheld = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            if (!forwarded.Contains(header.Key) && IsVaryCandidate(header.Key))
            {
                withheld[header.Key] = header.Value.ToString();
            }
        }

        var path = request.Path.Value is { Length: > 0 } p ? p : "/";
        return new FillRequest(decision.PrimaryKey, path, decision.PathAndQuery, [.. headers]) { Withheld = withheld, KnownVary = varyOn };
    }

    /// <summary>A fill for the same URL that also forwards <paramref name="names"/> (headers the origin said it varies on).</summary>
    public FillRequest Forwarding(IEnumerable<string> names)
    {
        var headers = new List<KeyValuePair<string, string>>(Headers);
        var withheld = new Dictionary<string, string>(Withheld, StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            if (withheld.Remove(name, out var value))
            {
                headers.Add(new(name.ToLowerInvariant(), value));
            }
        }

        return this with { Headers = [.. headers], Withheld = withheld };
    }

    /// <summary>
    /// True for a header an origin may name in Vary that no fill ever sends and no key could honour: credentials and
    /// the client's address (X-Forwarded-*, Forwarded, which the forwarder sets from the connection). An answer that
    /// varies on one is never stored. Cookie is not among them: requests with cookies a rule does not ignore bypass.
    /// </summary>
    public static bool IsNeverForwardedVary(string name)
        => string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase)
           || name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase)
           || string.Equals(name, "Forwarded", StringComparison.OrdinalIgnoreCase);

    // Credentials and cookies never reach a shared render, whatever the origin's Vary says; neither do hop-by-hop
    // fields nor the fields this cache sets itself.
    private static bool IsVaryCandidate(string name)
        => !IsrHeaders.HopByHop.Contains(name)
           && !string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase)
           && !string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase)
           && !string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase)
           && !name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase)
           && !string.Equals(name, "Forwarded", StringComparison.OrdinalIgnoreCase)
           && !string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase)
           && !name.StartsWith("If-", StringComparison.OrdinalIgnoreCase)
           && !string.Equals(name, "Range", StringComparison.OrdinalIgnoreCase);
}
