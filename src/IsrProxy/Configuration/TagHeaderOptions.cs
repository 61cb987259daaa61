namespace IsrProxy.Configuration;

/// <summary>
/// Names of the origin response headers tags are read from (<c>Isr:TagHeaders</c>); an empty name turns that header off.
/// They are not sent on to clients unless <see cref="Forward"/> is set.
/// </summary>
internal sealed class TagHeaderOptions
{
    /// <summary>Comma-separated tags (Cloudflare style).</summary>
    public string CacheTag { get; set; } = "Cache-Tag";

    /// <summary>Space-separated tags (Fastly style).</summary>
    public string SurrogateKey { get; set; } = "Surrogate-Key";

    /// <summary>RFC 9875 Structured-Fields list of strings.</summary>
    public string CacheGroups { get; set; } = "Cache-Groups";

    /// <summary>Comma-separated tags as Next.js's own cache handler sends them.</summary>
    public string NextCacheTags { get; set; } = "x-next-cache-tags";

    /// <summary>Send the tag headers on to clients (for a CDN in front that purges by tag too).</summary>
    public bool Forward { get; set; }

    /// <summary>The configured, non-empty header names.</summary>
    public IEnumerable<string> Names()
        => new[] { CacheTag, SurrogateKey, CacheGroups, NextCacheTags }.Where(n => !string.IsNullOrWhiteSpace(n));

    /// <summary>
    /// The tag headers kept from clients on every answer (stored, streamed or forwarded as it is): all of them unless
    /// <see cref="Forward"/> is set.
    /// </summary>
    public string[] Hidden() => Forward ? [] : [.. Names()];
}
