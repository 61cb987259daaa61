using IsrProxy.Caching.Compression;
using IsrProxy.Caching.Http;
using IsrProxy.Configuration;
using IsrProxy.Proxy;
using IsrProxy.Rules;
using IsrProxy.Storage;
using Microsoft.Extensions.Primitives;

namespace IsrProxy.Caching;

/// <summary>What a fill produced: the response as an entry, and why it may not be stored (None when it may).</summary>
internal readonly record struct EntryBuild(CacheEntry Entry, NotStoredReason Refusal)
{
    public bool IsStorable => Refusal == NotStoredReason.None;
}

/// <summary>What the origin's caching headers say, the entry's lifetime, and why it may not be stored (None when it may).</summary>
internal readonly record struct StorageVerdict(OriginCacheDirectives Directives, TimeSpan? Lifetime, NotStoredReason Refusal);

/// <summary>
/// Turns an origin response into a <see cref="CacheEntry"/>: which headers are kept, the effective revalidate time
/// (the lowest of the rule's and the origin's), the maximum stale age, tags, and whether it may be stored at all.
/// </summary>
internal static class EntryFactory
{
    private static readonly HashSet<int> CacheableStatuses = [200, 203, 300, 301, 308, 404, 410];

    public static EntryBuild Build(
        OriginResponse response,
        FillRequest fill,
        RouteRule rule,
        TagHeaderOptions tagHeaders,
        CompressionOptions compression,
        DateTimeOffset renderStartedAt,
        DateTimeOffset now)
    {
        var message = response.Message;
        var fields = ResponseFields.Read(message, tagHeaders);
        var verdict = Judge(fields.Get, response.StatusCode, response.IsComplete, rule, now);
        var directives = verdict.Directives;
        var refusal = verdict.Refusal;
        var lifetime = verdict.Lifetime;

        var maxStale = !rule.IgnoreOriginCacheControl && directives.StaleWhileRevalidate is { } swr && !directives.StaleWhileRevalidateUnbounded
            ? swr
            : rule.MaxStale;

        var tags = new List<string>(rule.Tags);
        TagHeaders.ParseCacheTag(fields.GetIfNamed(tagHeaders.CacheTag), tags);
        TagHeaders.ParseSurrogateKey(fields.GetIfNamed(tagHeaders.SurrogateKey), tags);
        TagHeaders.ParseCacheGroups(fields.GetIfNamed(tagHeaders.CacheGroups), tags);
        TagHeaders.ParseNextCacheTags(fields.GetIfNamed(tagHeaders.NextCacheTags), tags);
        var distinctTags = tags.Distinct(StringComparer.Ordinal).ToArray();

        // Once a URL is known to vary, every answer for it is a variant; and a compressed answer is only right for
        // clients that accept that coding, whether or not the origin said so.
        var varyOn = VaryNames(fields.Get("Vary"));
        var implied = IsEncoded(fields.Get("Content-Encoding")) ? ["accept-encoding"] : Array.Empty<string>();
        if (fill.KnownVary.Length > 0 || implied.Length > 0)
        {
            varyOn = [.. varyOn.Union(fill.KnownVary).Union(implied).Order(StringComparer.Ordinal)];
        }

        var key = varyOn.Length == 0 ? fill.PrimaryKey : CacheKeys.Variant(fill.PrimaryKey, varyOn, fill.HeaderValue);
        var keepSetCookie = refusal is NotStoredReason.SetCookie or NotStoredReason.Private;
        var encodings = refusal == NotStoredReason.None
            ? StoredEncodings.Create(response.Body.Span, fields.Get("Content-Type"), fields.Get("Content-Encoding"), fields.Get("ETag"), compression)
            : [];
        var headers = fields.Replayable(keepSetCookie);
        if (encodings.Length > 0)
        {
            headers = WithVaryOnAcceptEncoding(headers);
        }

        var entry = new CacheEntry
        {
            Key = key,
            PrimaryKey = fill.PrimaryKey,
            Path = fill.Path,
            PathAndQuery = fill.PathAndQuery,
            RequestHeaders = fill.Headers,
            StatusCode = response.StatusCode,
            Headers = headers,
            CacheControl = fields.Get("Cache-Control"),
            OriginCacheStatus = fields.Get(IsrHeaders.CacheStatus),
            ETag = fields.Get("ETag"),
            LastModified = fields.Get("Last-Modified"),
            Body = response.Body,
            Encodings = encodings,
            RenderStartedAt = renderStartedAt,
            GeneratedAt = now,
            InitialAge = long.TryParse(fields.Get("Age"), out var age) && age > 0 ? TimeSpan.FromSeconds(age) : TimeSpan.Zero,
            RevalidateAt = lifetime is { } l ? Add(now, l) : null,
            MaxStale = maxStale,
            StaleIfError = directives.StaleIfError ?? TimeSpan.Zero,
            Tags = distinctTags,
            ClockKeys = ClockKeys.For(fill.Path, distinctTags),
            VaryOn = varyOn,
        };
        return new EntryBuild(entry, refusal);
    }

    /// <summary>
    /// Whether an answer with these header fields and status may be stored under the rule, and for how long: the one
    /// storability decision, used for fills and for answers forwarded while a URL is in hit-for-pass.
    /// </summary>
    public static StorageVerdict Judge(Func<string, string?> field, int status, bool complete, RouteRule rule, DateTimeOffset now)
    {
        var directives = CacheControlPolicy.Evaluate(
            [field(IsrHeaders.IsrProxyCacheControl), field(IsrHeaders.CdnCacheControl)],
            field("Cache-Control"),
            field("Set-Cookie") is not null,
            field("Vary"),
            field("Expires"),
            field("Date"),
            now);

        var refusal = directives.Refusal;
        if (refusal == NotStoredReason.None && Array.Exists(VaryNames(field("Vary")), FillRequest.IsNeverForwardedVary))
        {
            refusal = NotStoredReason.VaryUnkeyed;
        }

        if (refusal == NotStoredReason.None && !CacheableStatuses.Contains(status))
        {
            refusal = NotStoredReason.Status;
        }

        if (refusal == NotStoredReason.None && !complete)
        {
            refusal = NotStoredReason.TooLarge;
        }

        if (refusal == NotStoredReason.None && rule.IsDefault && directives.Lifetime is null)
        {
            refusal = NotStoredReason.NoFreshness;                // nobody asked for this path to be cached
        }

        var notFound = status is 404 or 410;
        var ruleLifetime = notFound ? rule.EffectiveNotFoundRevalidate : rule.Revalidate;
        var lifetime = rule.IgnoreOriginCacheControl ? ruleLifetime : Lowest(ruleLifetime, directives.Lifetime);
        if (refusal == NotStoredReason.None && lifetime == TimeSpan.Zero)
        {
            refusal = NotStoredReason.ZeroLifetime;
        }

        return new StorageVerdict(directives, lifetime, refusal);
    }

    /// <summary>The marker stored under the primary key of a URL whose responses vary.</summary>
    public static CacheEntry VaryMarker(CacheEntry variant, FillRequest fill) => new()
    {
        Key = fill.PrimaryKey,
        Path = variant.Path,
        PathAndQuery = variant.PathAndQuery,
        RenderStartedAt = variant.RenderStartedAt,
        GeneratedAt = variant.GeneratedAt,
        VaryOn = variant.VaryOn,
        IsVaryMarker = true,
    };

    /// <summary>Header names from a Vary value: lower case, sorted, distinct. (<c>*</c> is refused before this matters.)</summary>
    public static string[] VaryNames(string? vary)
    {
        if (string.IsNullOrWhiteSpace(vary))
        {
            return [];
        }

        return vary.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(n => n != "*")
            .Select(n => n.ToLowerInvariant())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    // Every answer of an entry with compressed variants says it varies on Accept-Encoding, the identity one too.
    private static KeyValuePair<string, StringValues>[] WithVaryOnAcceptEncoding(KeyValuePair<string, StringValues>[] headers)
    {
        var index = Array.FindIndex(headers, h => string.Equals(h.Key, "Vary", StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            return [.. headers, new("Vary", "Accept-Encoding")];
        }

        var vary = headers[index].Value.ToString();
        if (VaryNames(vary).Contains("accept-encoding"))
        {
            return headers;
        }

        var copy = headers.ToArray();
        copy[index] = new("Vary", vary + ", Accept-Encoding");
        return copy;
    }

    /// <summary>True for a Content-Encoding other than none or identity.</summary>
    public static bool IsEncoded(string? contentEncoding)
        => !string.IsNullOrWhiteSpace(contentEncoding) && !string.Equals(contentEncoding.Trim(), "identity", StringComparison.OrdinalIgnoreCase);

    private static TimeSpan? Lowest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    // Seconds from configuration may be as large as a user likes; saturate instead of overflowing.
    private static DateTimeOffset Add(DateTimeOffset at, TimeSpan span)
        => DateTimeOffset.MaxValue - at <= span ? DateTimeOffset.MaxValue : at + span;

    /// <summary>The end-to-end header fields of a response, read once from the message and its content.</summary>
    private sealed class ResponseFields
    {
        private readonly List<KeyValuePair<string, StringValues>> _all = [];
        private readonly HashSet<string> _connectionNamed = new(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _tagHeaders = new(StringComparer.OrdinalIgnoreCase);

        public static ResponseFields Read(HttpResponseMessage message, TagHeaderOptions tagHeaders)
        {
            var fields = new ResponseFields();
            fields._tagHeaders.UnionWith(tagHeaders.Hidden());

            foreach (var header in message.Headers.NonValidated)
            {
                fields._all.Add(new(header.Key, ToStringValues(header.Value)));
            }

            foreach (var header in message.Content.Headers.NonValidated)
            {
                fields._all.Add(new(header.Key, ToStringValues(header.Value)));
            }

            foreach (var token in (fields.Get("Connection") ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                fields._connectionNamed.Add(token);
            }

            return fields;
        }

        public string? Get(string name)
        {
            foreach (var field in _all)
            {
                if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return field.Value.Count == 1 ? field.Value[0] : string.Join(", ", field.Value.ToArray());
                }
            }

            return null;
        }

        public string? GetIfNamed(string? name) => string.IsNullOrWhiteSpace(name) ? null : Get(name);

        public bool Has(string name) => _all.Exists(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase));

        public KeyValuePair<string, StringValues>[] Replayable(bool keepSetCookie)
            => [.. _all.Where(f => IsReplayable(f.Key, keepSetCookie))];

        private bool IsReplayable(string name, bool keepSetCookie)
            => !IsrHeaders.HopByHop.Contains(name)
               && !_connectionNamed.Contains(name)
               && (keepSetCookie || !string.Equals(name, "Set-Cookie", StringComparison.OrdinalIgnoreCase))
               && !Is(name, "Age") && !Is(name, "Content-Length") && !Is(name, "Cache-Control") && !Is(name, IsrHeaders.CacheStatus)
               && !_tagHeaders.Contains(name) && !Is(name, IsrHeaders.IsrProxyCacheControl)
               && !Is(name, IsrHeaders.XIsrCache);

        private static bool Is(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        private static StringValues ToStringValues(System.Net.Http.Headers.HeaderStringValues values)
        {
            if (values.Count == 1)
            {
                return new StringValues(values.ToString());
            }

            var array = new string[values.Count];
            var i = 0;
            foreach (var value in values)
            {
                array[i++] = value;
            }

            return new StringValues(array);
        }
    }
}
