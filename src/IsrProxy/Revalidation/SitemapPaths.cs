using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Xml;
using System.Xml.Linq;
using IsrProxy.Proxy;
using IsrProxy.Rules;

namespace IsrProxy.Revalidation;

/// <summary>
/// Paths found in rules' <c>Sitemap</c> (Next's getStaticPaths): read from the origin at startup, prerendered like
/// <c>Prerender</c> paths, and served under <c>Fallback: false</c>. One level of sitemap index is followed; the sitemap
/// protocol's own bounds (50,000 URLs, 50 MB) apply, and a body past <c>Isr:Store:MaxEntryBytes</c> is refused.
/// </summary>
internal sealed class SitemapPaths(OriginEndpoint origin, OriginClient client)
{
    private const int MaxUrls = 50_000;
    private const int MaxNestedSitemaps = 50;
    private static readonly XNamespace Ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
    private readonly ConcurrentDictionary<string, FrozenSet<string>> _byRule = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="path"/> was listed in <paramref name="rule"/>'s sitemap.</summary>
    public bool Contains(RouteRule rule, string path)
        => rule.Sitemap is not null && _byRule.TryGetValue(rule.Match, out var paths) && paths.Contains(path);

    /// <summary>Reads the rule's sitemap and remembers the paths its pattern matches. Throws when the sitemap cannot be read.</summary>
    public async Task<IReadOnlyCollection<string>> LoadAsync(RouteRule rule, CancellationToken ct)
    {
        if (rule.Sitemap is not { } sitemap)
        {
            return [];
        }

        var paths = new HashSet<string>(StringComparer.Ordinal);
        var document = await FetchAsync(Resolve(sitemap), ct);
        if (document.Root?.Name == Ns + "sitemapindex")
        {
            foreach (var nested in Locations(document).Take(MaxNestedSitemaps))
            {
                Collect(await FetchAsync(nested, ct), rule, paths);
            }
        }
        else
        {
            Collect(document, rule, paths);
        }

        _byRule[rule.Match] = paths.ToFrozenSet(StringComparer.Ordinal);
        return paths;
    }

    // A rooted path is a path on the origin (on Unix, Uri would read "/sitemap.xml" as a file:// URI).
    private Uri Resolve(string sitemap)
        => sitemap.StartsWith('/') ? origin.Resolve(sitemap) : new Uri(sitemap, UriKind.Absolute);

    private async Task<XDocument> FetchAsync(Uri uri, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using var response = await origin.Invoker.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The sitemap {uri} answered {(int)response.StatusCode}.");
        }

        if (response.Content.Headers.ContentLength > client.MaxBodyBytes)
        {
            throw new HttpRequestException($"The sitemap {uri} is larger than Isr:Store:MaxEntryBytes.");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var bounded = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            if (bounded.Length + read > client.MaxBodyBytes)
            {
                throw new HttpRequestException($"The sitemap {uri} is larger than Isr:Store:MaxEntryBytes.");
            }

            bounded.Write(buffer, 0, read);
        }

        bounded.Position = 0;
        using var reader = XmlReader.Create(bounded, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, Async = true });
        return await XDocument.LoadAsync(reader, LoadOptions.None, ct);
    }

    private static IEnumerable<Uri> Locations(XDocument document)
        => document.Descendants(Ns + "loc")
            .Select(l => Uri.TryCreate(l.Value.Trim(), UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) ? u : null)
            .OfType<Uri>()
            .Take(MaxUrls);

    private static void Collect(XDocument document, RouteRule rule, HashSet<string> paths)
    {
        foreach (var location in Locations(document))
        {
            var path = Uri.UnescapeDataString(location.AbsolutePath);
            if (rule.Pattern.IsMatch(path) && paths.Count < MaxUrls)
            {
                paths.Add(path);
            }
        }
    }
}
