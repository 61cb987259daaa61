using IsrProxy.Caching.Http;
using IsrProxy.Configuration;
using IsrProxy.Observability;
using IsrProxy.Proxy;
using IsrProxy.Rules;
using IsrProxy.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IsrProxy.Caching;

/// <summary>
/// Hit-for-pass, as Varnish and Fastly have it: when a fill's answer cannot be stored, the key is remembered as
/// uncacheable for <c>Isr:Proxy:HitForPassSeconds</c> with a marker in the store (so every replica of a Redis fleet
/// sees it). While the marker holds, requests for the key go to the origin on their own, with their own headers and
/// without coalescing; the first of them whose answer could be stored ends it, and so does a purge of the path or
/// one of its tags.
/// </summary>
internal sealed partial class HitForPass(
    ICacheStore store,
    TagClock clock,
    TimeProvider time,
    IsrMetrics metrics,
    IOptions<IsrOptions> options,
    ILogger<HitForPass> logger)
{
    private readonly TimeSpan _duration = TimeSpan.FromSeconds(options.Value.Proxy.HitForPassSeconds);

    /// <summary>True when the entry is a hit-for-pass marker that still holds now.</summary>
    public bool Holds(CacheEntry? entry, DateTimeOffset now)
    {
        if (entry is not { IsHitForPass: true, RevalidateAt: { } until } || now >= until)
        {
            return false;
        }

        var verdict = clock.Evaluate(entry.ClockKeys, entry.RenderStartedAt);
        return !verdict.Expired && verdict.StaleSince is null;
    }

    /// <summary>Remembers the key as uncacheable; a no-op when hit-for-pass is turned off. Never throws.</summary>
    public async Task RememberAsync(string key, FillRequest fill, string[] tags, NotStoredReason reason, DateTimeOffset renderStartedAt)
    {
        if (_duration <= TimeSpan.Zero)
        {
            return;
        }

        var now = time.GetUtcNow();
        var marker = new CacheEntry
        {
            Key = key,
            PrimaryKey = fill.PrimaryKey,
            Path = fill.Path,
            PathAndQuery = fill.PathAndQuery,
            RenderStartedAt = renderStartedAt,
            GeneratedAt = now,
            RevalidateAt = now + _duration,
            MaxStale = TimeSpan.Zero,
            Tags = tags,
            ClockKeys = ClockKeys.For(fill.Path, tags),
            IsHitForPass = true,
        };

        try
        {
            await store.SetAsync(marker, CancellationToken.None);
            Log.Started(logger, fill.PathAndQuery, CacheStatusHeader.DetailToken(reason) ?? "none", _duration.TotalSeconds);
        }
        catch (Exception ex)
        {
            Log.MarkerFailed(logger, fill.PathAndQuery, ex);          // the next request fills again: safe, only slower
            metrics.StoreError("set");
        }
    }

    /// <summary>
    /// After a request was forwarded because of the marker: when the origin's answer could have been stored, the marker
    /// is removed so the next request fills the cache again. Never throws.
    /// </summary>
    public async Task ReconsiderAsync(HttpContext context, RouteRule rule, CacheEntry marker)
    {
        var response = context.Response;
        var headers = response.Headers;
        var verdict = EntryFactory.Judge(
            name => headers.TryGetValue(name, out var value) ? value.ToString() : null,
            response.StatusCode,
            complete: true,
            rule,
            time.GetUtcNow());
        if (verdict.Refusal != NotStoredReason.None)
        {
            return;
        }

        try
        {
            await store.RemoveAsync(marker.Key, CancellationToken.None);
            Log.Ended(logger, marker.PathAndQuery);
        }
        catch (Exception ex)
        {
            Log.MarkerFailed(logger, marker.PathAndQuery, ex);        // it ends by itself at its time
            metrics.StoreError("remove");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.HitForPassStarted, LogLevel.Debug, "{Path} could not be stored ({Reason}); its requests go to the origin for {Seconds} s", EventName = "HitForPassStarted")]
        public static partial void Started(ILogger logger, string path, string reason, double seconds);

        [LoggerMessage(EventIds.HitForPassEnded, LogLevel.Debug, "{Path} answered a storable response; it is cached again", EventName = "HitForPassEnded")]
        public static partial void Ended(ILogger logger, string path);

        [LoggerMessage(EventIds.StoreWriteFailed, LogLevel.Warning, "Updating the hit-for-pass marker of {Path} failed", EventName = "HitForPassMarkerFailed")]
        public static partial void MarkerFailed(ILogger logger, string path, Exception exception);
    }
}
