using System.Text;
using IsrProxy.Caching.Http;
using IsrProxy.Rules;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.Caching;

/// <summary>
/// Cache keys. The primary key is the path, the query as the rule keeps it, and the values of the rule's <c>Vary</c>
/// headers. When the origin answers with <c>Vary</c>, the primary key holds a marker and each variant lives under the
/// primary key plus the values, as sent to the origin, of the headers the origin named.
/// </summary>
internal static class CacheKeys
{
    /// <summary>The path and query the origin is asked for: the query filtered as the rule says (<c>_rsc</c> always kept).</summary>
    public static string PathAndQuery(HttpRequest request, RouteRule rule)
    {
        var path = request.Path.HasValue ? request.Path.ToUriComponent() : "/";
        var query = request.QueryString.Value;
        if (string.IsNullOrEmpty(query) || query == "?")
        {
            return path;
        }

        var mode = rule.Dynamic == DynamicMode.ForceStatic ? QueryMode.Ignore : rule.Query;
        if (mode == QueryMode.Include)
        {
            return path + query;
        }

        var kept = FilterQuery(query.AsSpan(1), mode, rule);
        return kept.Length == 0 ? path : path + "?" + kept;
    }

    public static string Primary(string pathAndQuery, HttpRequest request, RouteRule rule)
    {
        if (rule.Vary.Count == 0)
        {
            return pathAndQuery;
        }

        var headers = request.Headers;
        return Primary(pathAndQuery, name => ForwardedValue(headers, name), rule);
    }

    /// <summary>The primary key from the values of the rule's Vary headers as <paramref name="valueOf"/> gives them.</summary>
    public static string Primary(string pathAndQuery, Func<string, string?> valueOf, RouteRule rule)
    {
        if (rule.Vary.Count == 0)
        {
            return pathAndQuery;
        }

        var builder = new StringBuilder(pathAndQuery);
        foreach (var name in rule.Vary)
        {
            builder.Append('\n').Append(name).Append('=').Append(valueOf(name));
        }

        return builder.ToString();
    }

    /// <summary>The variant key for headers named by the origin's Vary, from the values as the origin received them.</summary>
    public static string Variant(string primaryKey, string[] varyOn, Func<string, string?> forwardedValue)
    {
        var builder = new StringBuilder(primaryKey).Append("\nvary");
        foreach (var name in varyOn)
        {
            builder.Append('\n').Append(name).Append('=').Append(forwardedValue(name));
        }

        return builder.ToString();
    }

    /// <summary>
    /// The value of request header <paramref name="name"/> as a cache fill sends it to the origin: Accept-Encoding is
    /// reduced to the one coding this cache asks for; other values are joined as received.
    /// </summary>
    public static string? ForwardedValue(IHeaderDictionary headers, string name)
    {
        if (!headers.TryGetValue(name, out var values) || values.Count == 0)
        {
            return null;
        }

        if (string.Equals(name, "accept-encoding", StringComparison.OrdinalIgnoreCase))
        {
            var normalized = AcceptEncoding.Normalize(values.ToString());
            return normalized.Length == 0 ? null : normalized;
        }

        return values.ToString();
    }

    private static string FilterQuery(ReadOnlySpan<char> query, QueryMode mode, RouteRule rule)
    {
        var builder = new StringBuilder();
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var rawName = equals < 0 ? pair : pair[..equals];
            var name = Uri.UnescapeDataString(rawName.ToString().Replace('+', ' '));
            var keep = name == IsrHeaders.NextRscQuery || (mode == QueryMode.Allow && rule.QueryAllow.Contains(name));
            if (keep)
            {
                if (builder.Length > 0)
                {
                    builder.Append('&');
                }

                builder.Append(pair);
            }
        }

        return builder.ToString();
    }
}
