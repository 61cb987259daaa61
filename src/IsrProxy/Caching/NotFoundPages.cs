using IsrProxy.Caching.Http;
using IsrProxy.NextJs;
using IsrProxy.Proxy;
using IsrProxy.Revalidation;
using IsrProxy.Rules;
using IsrProxy.Storage;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.Caching;

/// <summary>
/// The 404 of a <c>Fallback: false</c> rule for a path it does not list (Next's <c>dynamicParams = false</c>). In front of
/// a Next.js origin it is the site's own not-found page: fetched once, for the first unknown path, and stored under one
/// key per rule, so unknown paths never reach the origin one by one; it revalidates and is purged like any entry. Any
/// other origin gets an empty 404 made here.
/// </summary>
internal sealed class NotFoundPages(
    NextJsState nextJs,
    CacheLookup lookup,
    MissCoalescer coalescer,
    CacheFiller filler,
    RegenerationQueue regenerations,
    TimeProvider time)
{
    private const string KeyPrefix = "!not-found|";

    /// <summary>The one key of a rule's not-found page; never a path's key, which starts with '/'.</summary>
    public static string Key(RouteRule rule) => KeyPrefix + rule.Match;

    public static bool IsKey(string key) => key.StartsWith(KeyPrefix, StringComparison.Ordinal);

    /// <summary>
    /// The entry a not-found fill stores: only a 404 or 410 (never a page, under a key every unknown path shares). The
    /// answer stands for this cache's own 404, so it lives for the rule's <c>NotFoundRevalidate</c> even when the origin
    /// marked its not-found page private or uncacheable, as <c>next start</c> does; one that sets a cookie is not stored.
    /// </summary>
    public static EntryBuild AsRulePage(EntryBuild build, RouteRule rule, DateTimeOffset now)
    {
        var entry = build.Entry;
        if (entry.StatusCode is not (404 or 410))
        {
            return build with { Refusal = NotStoredReason.Status };
        }

        if (build.Refusal is not (NotStoredReason.NoStore or NotStoredReason.Private or NotStoredReason.NoCache or NotStoredReason.ZeroLifetime)
            || Array.Exists(entry.Headers, h => string.Equals(h.Key, "Set-Cookie", StringComparison.OrdinalIgnoreCase)))
        {
            return build;
        }

        var revalidateAt = rule.EffectiveNotFoundRevalidate is { } lifetime ? now + lifetime : (DateTimeOffset?)null;
        return new EntryBuild(entry.Reshaped(revalidateAt, entry.Tags, entry.ClockKeys), NotStoredReason.None);
    }

    public async Task ServeAsync(HttpContext context, CacheDecision decision, IsrRequestFeature feature)
    {
        if (!nextJs.Enabled)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var keyed = decision with { PrimaryKey = Key(decision.Rule) };
        var now = time.GetUtcNow();
        var found = await lookup.FindAsync(keyed, context.Request, now, context.RequestAborted);
        switch (found.Freshness.State)
        {
            case FreshnessState.Fresh when found.Entry is { } fresh:
                feature.Class = CacheClass.Hit;
                await CachedResponse.WriteAsync(context, fresh, CacheClass.Hit, CacheMiddleware.HitMember(found.Freshness), now, fromStore: true);
                return;

            case FreshnessState.Stale when found.Entry is { } stale:
                feature.Class = CacheClass.Stale;
                if (stale.RetryAfter <= now)
                {
                    regenerations.TryEnqueue(stale);
                }

                var past = found.Freshness.TimeToLive is { } ttl && ttl < TimeSpan.Zero ? (long)-ttl.TotalSeconds : 0;
                await CachedResponse.WriteAsync(context, stale, CacheClass.Stale, CacheStatusHeader.Stale(past), now, fromStore: true);
                return;
        }

        await FillAsync(context, keyed, found, feature);
    }

    private async Task FillAsync(HttpContext context, CacheDecision keyed, LookupResult found, IsrRequestFeature feature)
    {
        var fill = FillRequest.FromClient(context.Request, keyed, found.VaryOn) with { NotFoundPage = true };
        var (task, leader) = coalescer.Run(found.Key, () => filler.FillAsync(fill, keyed.Rule, Observability.OriginPurpose.Fill));
        FillOutcome outcome;
        try
        {
            outcome = leader ? await task : await task.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;                                                  // this client left; the fill goes on for the others
        }

        if (outcome.Kind == FillKind.TooLarge && leader && outcome.TryClaimStream())
        {
            outcome.Streaming?.Dispose();
        }

        feature.Class = CacheClass.Miss;
        feature.OriginDuration = outcome.OriginDuration;
        var stored = outcome.Kind == FillKind.Stored;
        if (outcome.Entry is { StatusCode: 404 or 410 } page && outcome.Kind is FillKind.Stored or FillKind.Shared
            && (leader || page.VaryOn.Length == 0 || page.Key == CacheKeys.Variant(keyed.PrimaryKey, page.VaryOn, name => CacheKeys.ForwardedValue(context.Request.Headers, name))))
        {
            var member = CacheStatusHeader.Miss(stored, collapsed: !leader, stored ? null : CacheStatusHeader.DetailToken(outcome.Reason));
            await CachedResponse.WriteAsync(context, page, CacheClass.Miss, member, default, fromStore: false);
            return;
        }

        // The origin failed, or answered something other than a not-found page: the 404 is this cache's own.
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.Headers[IsrHeaders.XIsrCache] = CacheClass.Miss.Label();
    }
}
