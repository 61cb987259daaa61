using IsrProxy.Caching.Http;
using IsrProxy.Proxy;
using IsrProxy.Revalidation;
using IsrProxy.Rules;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.Caching;

/// <summary>
/// The request flow (SPEC §1): classify, then bypass to the origin, or look up and answer HIT, STALE (and queue one
/// background regeneration), or MISS (one coalesced fill). Decisions live in the classifier, <see cref="Freshness"/>
/// and the handlers; this class only orchestrates. Requests that matched an endpoint of the proxy's own (purge,
/// health, metrics) pass through to it.
/// </summary>
internal sealed class CacheMiddleware(
    RequestDelegate next,
    RuleSetProvider rules,
    RequestClassifier classifier,
    CacheLookup lookup,
    MissHandler misses,
    RegenerationQueue regenerations,
    OriginForwarder forwarder,
    HitForPass passes,
    SitemapPaths sitemaps,
    NotFoundPages notFound,
    TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not null)
        {
            await next(context);
            return;
        }

        var feature = new IsrRequestFeature();
        context.Features.Set(feature);
        var decision = classifier.Classify(context.Request, rules.Current);
        feature.Rule = decision.Rule;
        if (decision.IsBypass)
        {
            feature.Class = CacheClass.Bypass;
            feature.BypassReason = decision.Bypass;
            feature.CacheStatusMember = CacheStatusHeader.Bypass(
                decision.Bypass == BypassReason.Method ? "method" : "bypass",
                decision.Bypass == BypassReason.Method ? null : decision.Bypass.Detail());
            await forwarder.ForwardAsync(context, decision.Rule);
            return;
        }

        if (decision.Rule.Fallback == FallbackMode.False && !IsListed(decision.Rule, context.Request.Path.Value ?? "/"))
        {
            await notFound.ServeAsync(context, decision, feature);         // Next's dynamicParams = false
            return;
        }

        var now = time.GetUtcNow();
        var found = await lookup.FindAsync(decision, context.Request, now, context.RequestAborted);
        if (found.Entry is { } marker && passes.Holds(marker, now))
        {
            feature.Class = CacheClass.Bypass;
            feature.BypassReason = BypassReason.HitForPass;
            feature.CacheStatusMember = CacheStatusHeader.Bypass("bypass", BypassReason.HitForPass.Detail());
            await forwarder.ForwardAsync(context, decision.Rule);
            await passes.ReconsiderAsync(context, decision.Rule, marker);
            return;
        }

        switch (found.Freshness.State)
        {
            case FreshnessState.Fresh when found.Entry is { } fresh:
                feature.Class = CacheClass.Hit;
                await CachedResponse.WriteAsync(context, fresh, CacheClass.Hit, HitMember(found.Freshness), now, fromStore: true);
                return;

            case FreshnessState.Stale when found.Entry is { } stale:
                feature.Class = CacheClass.Stale;
                if (stale.RetryAfter <= now)
                {
                    regenerations.TryEnqueue(stale, withVariants: true);
                }

                var past = found.Freshness.TimeToLive is { } ttl && ttl < TimeSpan.Zero ? (long)-ttl.TotalSeconds : 0;
                await CachedResponse.WriteAsync(context, stale, CacheClass.Stale, CacheStatusHeader.Stale(past), now, fromStore: true);
                return;

            default:
                await misses.HandleAsync(context, decision, found, feature);
                return;
        }
    }

    private bool IsListed(RouteRule rule, string path) => rule.PrerenderSet.Contains(path) || sitemaps.Contains(rule, path);

    /// <summary>The Cache-Status member of a fresh hit.</summary>
    internal static string HitMember(Freshness freshness)
        => freshness.TimeToLive is { } ttl
            ? CacheStatusHeader.Hit((long)Math.Ceiling(ttl.TotalSeconds))
            : CacheStatusHeader.CacheName + "; hit";
}
