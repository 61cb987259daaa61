using IsrProxy.Caching.Http;
using IsrProxy.Configuration;
using IsrProxy.Rules;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IsrProxy.Caching;

/// <summary>
/// Decides, from the request alone, whether the cache may answer it (SPEC §1). Pure: no I/O, no shared state written.
/// </summary>
internal sealed class RequestClassifier
{
    private readonly bool _development;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _bypassCookies;
    private readonly string[] _bypassHeaders;

    public RequestClassifier(IOptions<IsrOptions> options)
    {
        var o = options.Value;
        _development = o.Development;
        _bypassCookies = new HashSet<string>(o.Proxy.EffectiveBypassCookies, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _bypassHeaders = [.. o.Proxy.EffectiveBypassHeaders];
    }

    public CacheDecision Classify(HttpRequest request, RuleSet rules)
    {
        var path = request.Path.Value is { Length: > 0 } p ? p : "/";
        var rule = rules.Match(path);
        var reason = BypassFor(request, rule);
        if (reason != BypassReason.None)
        {
            return new CacheDecision(rule, reason, string.Empty, string.Empty);
        }

        var pathAndQuery = CacheKeys.PathAndQuery(request, rule);
        return new CacheDecision(rule, BypassReason.None, CacheKeys.Primary(pathAndQuery, request, rule), pathAndQuery);
    }

    private BypassReason BypassFor(HttpRequest request, RouteRule rule)
    {
        if (_development)
        {
            return BypassReason.Development;
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return BypassReason.Method;
        }

        var ruled = RouteBypass(rule);
        if (ruled != BypassReason.None)
        {
            return ruled;
        }

        var headers = request.Headers;
        if (headers.ContainsKey("Upgrade"))
        {
            return BypassReason.Upgrade;
        }

        foreach (var name in _bypassHeaders)
        {
            if (headers.ContainsKey(name))
            {
                return BypassReason.DraftMode;
            }
        }

        var cookies = CookieVerdict(headers.Cookie, rule);
        if (cookies == BypassReason.DraftMode)
        {
            return cookies;
        }

        if (rule.Dynamic == DynamicMode.ForceStatic)
        {
            return BypassReason.None;                          // cookies and credentials are dropped, never a reason
        }

        if (headers.ContainsKey("Authorization"))
        {
            return BypassReason.Authorization;
        }

        return cookies;
    }

    /// <summary>Why <paramref name="rule"/> alone sends its requests past the cache, whatever they carry, or None.</summary>
    public static BypassReason RouteBypass(RouteRule rule)
        => rule.Dynamic == DynamicMode.ForceDynamic ? BypassReason.ForceDynamic
            : rule.Revalidate == TimeSpan.Zero ? BypassReason.RevalidateZero
            : BypassReason.None;

    // Draft-mode cookies always bypass; any other cookie bypasses unless the rule ignores it.
    private BypassReason CookieVerdict(Microsoft.Extensions.Primitives.StringValues cookieHeaders, RouteRule rule)
    {
        var verdict = BypassReason.None;
        foreach (var header in cookieHeaders)
        {
            var rest = header.AsSpan();
            while (!rest.IsEmpty)
            {
                var semicolon = rest.IndexOf(';');
                var pair = (semicolon < 0 ? rest : rest[..semicolon]).Trim();
                rest = semicolon < 0 ? default : rest[(semicolon + 1)..];
                if (pair.IsEmpty)
                {
                    continue;
                }

                var equals = pair.IndexOf('=');
                var name = (equals < 0 ? pair : pair[..equals]).Trim();
                if (_bypassCookies.Contains(name))
                {
                    return BypassReason.DraftMode;
                }

                if (!rule.IsCookieIgnored(name))
                {
                    verdict = BypassReason.Cookie;
                }
            }
        }

        return verdict;
    }
}
