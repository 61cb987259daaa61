using System.Text;
using Microsoft.Net.Http.Headers;

namespace IsrProxy.Caching.Http;

// What an origin response's caching headers allow, and how a stale answer's Cache-Control is rewritten.
internal static class CacheControlPolicy
{
    // Directives that would let a downstream cache treat a stale answer as fresh, or make it block on revalidation.
    private static readonly string[] RemovedFromStale = ["s-maxage", "max-age", "immutable", "must-revalidate", "proxy-revalidate"];

    // targetedFields: values of the targeted fields in priority order (e.g. IsrProxy-Cache-Control, CDN-Cache-Control),
    // null or empty for absent ones. The first that is present and a valid Structured Fields Dictionary replaces
    // Cache-Control entirely (RFC 9213 §2.2): lifetime, stale-* and no-store/private/no-cache all come from it alone,
    // with no fallback to Cache-Control's max-age when it has none. Set-Cookie and Vary refuse storing either way.
    //
    // A directive given more than once (RFC 9111 §4.2.1 allows "the first" or "stale") takes its lowest valid value:
    // never fresher than any of the values the origin sent, without discarding the response. A bare
    // `stale-while-revalidate` next to one with a value counts as bounded by that value. Invalid numbers (negative,
    // non-digits, decimals) are ignored as if the directive were absent; values past 2^31 are capped.
    //
    // `private` and `no-cache` refuse storing with or without field names: this cache does not strip named fields.
    // `no-store` refuses even next to `must-understand`: the cache stays on the side of not storing.
    //
    // expires/date: the Expires and Date fields, used for the lifetime only when neither a targeted field nor
    // Cache-Control gives s-maxage or max-age (RFC 9111 §5.3). An Expires that is not a valid date means "already
    // expired"; a missing Date counts from now.
    public static OriginCacheDirectives Evaluate(
        IReadOnlyList<string?> targetedFields,
        string? cacheControl,
        bool hasSetCookie,
        string? vary,
        string? expires = null,
        string? date = null,
        DateTimeOffset now = default)
    {
        ArgumentNullException.ThrowIfNull(targetedFields);

        var directives = new List<CacheDirective>();
        var targeted = false;
        foreach (var field in targetedFields)
        {
            if (CacheControlParser.TryParseTargeted(field, directives))
            {
                targeted = true;
                break;
            }
        }

        if (!targeted)
        {
            CacheControlParser.ParseCacheControl(cacheControl, directives);
        }

        long? sMaxAge = null, maxAge = null, staleWhileRevalidate = null, staleIfError = null;
        bool bareStaleWhileRevalidate = false, noStore = false, isPrivate = false, noCache = false;
        foreach (var directive in directives)
        {
            switch (directive.Name.ToLowerInvariant())
            {
                case "s-maxage":
                    sMaxAge = Lowest(sMaxAge, directive.Seconds);
                    break;
                case "max-age":
                    maxAge = Lowest(maxAge, directive.Seconds);
                    break;
                case "stale-while-revalidate":
                    bareStaleWhileRevalidate |= directive.Argument is null;
                    staleWhileRevalidate = Lowest(staleWhileRevalidate, directive.Seconds);
                    break;
                case "stale-if-error":
                    staleIfError = Lowest(staleIfError, directive.Seconds);
                    break;
                case "no-store":
                    noStore = true;
                    break;
                case "private":
                    isPrivate = true;
                    break;
                case "no-cache":
                    noCache = true;
                    break;
            }
        }

        var refusal =
            noStore ? NotStoredReason.NoStore :
            isPrivate ? NotStoredReason.Private :
            noCache ? NotStoredReason.NoCache :
            hasSetCookie ? NotStoredReason.SetCookie :
            HasVaryStar(vary) ? NotStoredReason.VaryStar :
            NotStoredReason.None;

        var lifetime = ToTimeSpan(sMaxAge ?? maxAge);
        if (lifetime is null && !targeted && expires is not null)
        {
            lifetime = LifetimeFromExpires(expires, date, now);
        }

        return new OriginCacheDirectives(
            lifetime,
            ToTimeSpan(staleWhileRevalidate),
            bareStaleWhileRevalidate && staleWhileRevalidate is null,
            ToTimeSpan(staleIfError),
            refusal);
    }

    // The Cache-Control of a STALE answer: s-maxage, max-age, immutable, must-revalidate and proxy-revalidate are
    // removed, `max-age=0` is added last, every other element is kept as written and in order.
    public static string RewriteForStale(string? cacheControl)
    {
        const string Expired = "max-age=0";
        if (string.IsNullOrWhiteSpace(cacheControl))
        {
            return Expired;
        }

        var elements = new List<Range>();
        CacheControlParser.SplitElements(cacheControl, elements);
        var result = new StringBuilder(cacheControl.Length + Expired.Length + 2);
        foreach (var range in elements)
        {
            var element = cacheControl.AsSpan()[range];
            if (IsRemovedFromStale(CacheControlParser.ElementName(element)))
            {
                continue;
            }

            result.Append(element).Append(", ");
        }

        return result.Append(Expired).ToString();
    }

    private static TimeSpan LifetimeFromExpires(string expires, string? date, DateTimeOffset now)
    {
        if (!HeaderUtilities.TryParseDate(expires, out var expiresAt))
        {
            return TimeSpan.Zero;
        }

        var origin = date is not null && HeaderUtilities.TryParseDate(date, out var sent) ? sent : now;
        return expiresAt > origin ? expiresAt - origin : TimeSpan.Zero;
    }

    private static bool IsRemovedFromStale(ReadOnlySpan<char> name)
    {
        foreach (var removed in RemovedFromStale)
        {
            if (name.Equals(removed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasVaryStar(string? vary)
    {
        if (string.IsNullOrEmpty(vary))
        {
            return false;
        }

        foreach (var range in vary.AsSpan().Split(','))
        {
            if (vary.AsSpan()[range].Trim(HttpSyntax.Ows) is "*")
            {
                return true;
            }
        }

        return false;
    }

    private static long? Lowest(long? current, long? candidate) =>
        candidate is null ? current : current is null ? candidate : Math.Min(current.Value, candidate.Value);

    private static TimeSpan? ToTimeSpan(long? seconds) => seconds is null ? null : TimeSpan.FromSeconds(seconds.Value);
}
