using Microsoft.Net.Http.Headers;

namespace IsrProxy.Caching.Http;

// RFC 9110 §13 preconditions of a GET or HEAD answered from a cached 200.
internal static class ConditionalRequest
{
    // True when the cache should answer 304 Not Modified.
    // If-None-Match, when present (not null or blank), decides alone: "*" matches because the cached 200 is a current
    // representation; otherwise any listed entity-tag that weakly matches the stored ETag (W/"x" matches "x").
    // Only when it is absent is If-Modified-Since evaluated: 304 when the stored Last-Modified is not later than it.
    // An invalid date in either field, or a missing stored validator, means no 304. No clock is consulted, so an
    // If-Modified-Since in the future is compared like any other date.
    public static bool IsNotModified(string? ifNoneMatch, string? ifModifiedSince, string? etag, string? lastModified)
    {
        if (!string.IsNullOrWhiteSpace(ifNoneMatch))
        {
            return MatchesAny(ifNoneMatch, etag);
        }

        if (string.IsNullOrWhiteSpace(ifModifiedSince) || string.IsNullOrWhiteSpace(lastModified))
        {
            return false;
        }

        return HeaderUtilities.TryParseDate(ifModifiedSince, out var since)
            && HeaderUtilities.TryParseDate(lastModified, out var modified)
            && modified <= since;
    }

    private static bool MatchesAny(string ifNoneMatch, string? etag)
    {
        var list = ifNoneMatch.AsSpan().Trim(HttpSyntax.Ows);
        if (list is "*")
        {
            return true;
        }

        if (string.IsNullOrWhiteSpace(etag))
        {
            return false;
        }

        var stored = OpaqueTag(etag);
        var i = 0;
        while (i < list.Length)
        {
            if (list[i] is ',' or ' ' or '\t')
            {
                i++;
                continue;
            }

            var start = i;
            if (list[i..].StartsWith("W/", StringComparison.OrdinalIgnoreCase))
            {
                i += 2;
            }

            // A quoted opaque-tag may itself contain commas; an unquoted one (a common origin mistake) ends at a comma.
            if (i < list.Length && list[i] == '"')
            {
                var close = list[(i + 1)..].IndexOf('"');
                i = close < 0 ? list.Length : i + close + 2;
            }
            else
            {
                var comma = list[i..].IndexOf(',');
                i = comma < 0 ? list.Length : i + comma;
            }

            if (OpaqueTag(list[start..i]).SequenceEqual(stored))
            {
                return true;
            }
        }

        return false;
    }

    // The entity-tag without its weakness indicator and quotes, for weak comparison (RFC 9110 §8.8.3.2). Tolerates
    // a lowercase "w/" and a missing pair of quotes.
    private static ReadOnlySpan<char> OpaqueTag(ReadOnlySpan<char> entityTag)
    {
        var tag = entityTag.Trim(HttpSyntax.Ows);
        if (tag.StartsWith("W/", StringComparison.OrdinalIgnoreCase))
        {
            tag = tag[2..];
        }

        return tag.Length >= 2 && tag[0] == '"' && tag[^1] == '"' ? tag[1..^1] : tag;
    }
}
