using System.Globalization;
using System.Text;

namespace IsrProxy.Caching.Http;

// RFC 9211 Cache-Status members written by this cache. The field is a Structured Fields List: the member is appended
// after whatever the origin (or a cache behind it) already put there.
internal static class CacheStatusHeader
{
    public const string CacheName = "IsrProxy";

    // Members of fresh hits by ttl, made once each: a hit's ttl is nearly always a small number of seconds.
    private static readonly string?[] HitMembers = new string?[4096];

    // A fresh hit: ttl is the freshness left, in seconds.
    public static string Hit(long ttlSeconds) =>
        (ulong)ttlSeconds < (ulong)HitMembers.Length
            ? HitMembers[ttlSeconds] ??= FormatHit(ttlSeconds)
            : FormatHit(ttlSeconds);

    private static string FormatHit(long ttlSeconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{CacheName}; hit; ttl={ttlSeconds}");

    // A stale hit is still a hit (`fwd=stale` would say the request went to the origin); the negative ttl says by how
    // much it is past its revalidate time.
    public static string Stale(long secondsPastRevalidate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(secondsPastRevalidate);
        return string.Create(CultureInfo.InvariantCulture, $"{CacheName}; hit; ttl={-secondsPastRevalidate}");
    }

    public static string Miss(bool stored, bool collapsed) => Miss(stored, collapsed, null);

    // detail: why the response was not stored, a token such as DetailToken returns; null or empty for none.
    public static string Miss(bool stored, bool collapsed, string? detail)
    {
        var member = new StringBuilder(CacheName).Append("; fwd=uri-miss");
        if (stored)
        {
            member.Append("; stored");
        }

        if (collapsed)
        {
            member.Append("; collapsed");
        }

        return AppendDetail(member, detail).ToString();
    }

    // forward: "bypass" or "method" (any RFC 9211 fwd token is accepted); detail: a reason token such as "cookie".
    public static string Bypass(string forward, string? detail)
    {
        ArgumentNullException.ThrowIfNull(forward);
        if (!HttpSyntax.IsStructuredToken(forward))
        {
            throw new ArgumentException($"Cache-Status fwd '{forward}' is not a Structured Fields token.", nameof(forward));
        }

        return AppendDetail(new StringBuilder(CacheName).Append("; fwd=").Append(forward), detail).ToString();
    }

    public static string Append(string? originValue, string member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var origin = originValue.AsSpan().TrimEnd(HttpSyntax.Ows);
        return origin.IsEmpty ? member : string.Concat(origin, ", ", member);
    }

    // The Cache-Status detail for a response that was not stored; null for None.
    public static string? DetailToken(NotStoredReason reason) => reason switch
    {
        NotStoredReason.None => null,
        NotStoredReason.NoStore => "no-store",
        NotStoredReason.Private => "private",
        NotStoredReason.SetCookie => "set-cookie",
        NotStoredReason.NoCache => "no-cache",
        NotStoredReason.ZeroLifetime => "zero-lifetime",
        NotStoredReason.VaryStar => "vary-star",
        NotStoredReason.Status => "status",
        NotStoredReason.TooLarge => "too-large",
        NotStoredReason.OriginError => "origin-error",
        NotStoredReason.NoFreshness => "no-freshness",
        NotStoredReason.VaryUnkeyed => "vary-unkeyed",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, $"NotStoredReason '{reason}' has no Cache-Status detail."),
    };

    // RFC 9211 §2.8: detail is a Token or a String. Tokens are written bare; anything else printable becomes a String.
    private static StringBuilder AppendDetail(StringBuilder member, string? detail)
    {
        if (string.IsNullOrEmpty(detail))
        {
            return member;
        }

        member.Append("; detail=");
        if (HttpSyntax.IsStructuredToken(detail))
        {
            return member.Append(detail);
        }

        member.Append('"');
        foreach (var c in detail)
        {
            if (c is < '\x20' or > '\x7e')
            {
                throw new ArgumentException($"Cache-Status detail '{detail}' contains a character outside printable ASCII.", nameof(detail));
            }

            if (c is '"' or '\\')
            {
                member.Append('\\');
            }

            member.Append(c);
        }

        return member.Append('"');
    }
}
