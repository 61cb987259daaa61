using IsrProxy.Observability;
using IsrProxy.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Caching;

/// <summary>The entry found for a request (or none), the key it lives under, and its state now.</summary>
internal readonly record struct LookupResult(CacheEntry? Entry, string Key, string[] VaryOn, Freshness Freshness);

/// <summary>
/// Finds a request's entry: the primary key, and when the origin's Vary made it a marker, the variant for this request.
/// A store failure is a miss, never a failed request.
/// </summary>
internal sealed partial class CacheLookup(ICacheStore store, TagClock clock, IsrMetrics metrics, ILogger<CacheLookup> logger)
{
    public async ValueTask<LookupResult> FindAsync(CacheDecision decision, HttpRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var entry = await GetAsync(decision.PrimaryKey, ct);
        if (entry is { IsVaryMarker: true } marker)
        {
            var headers = request.Headers;
            var key = CacheKeys.Variant(decision.PrimaryKey, marker.VaryOn, name => CacheKeys.ForwardedValue(headers, name));
            var variant = await GetAsync(key, ct);
            return new LookupResult(variant, key, marker.VaryOn, Freshness.Evaluate(variant, clock, now));
        }

        return new LookupResult(entry, decision.PrimaryKey, [], Freshness.Evaluate(entry, clock, now));
    }

    private async ValueTask<CacheEntry?> GetAsync(string key, CancellationToken ct)
    {
        try
        {
            return await store.GetAsync(key, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            Log.StoreReadFailed(logger, ex);
            metrics.StoreError("get");
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.StoreReadFailed, LogLevel.Warning, "Reading the store failed; the request is treated as a miss", EventName = "StoreReadFailed")]
        public static partial void StoreReadFailed(ILogger logger, Exception exception);
    }
}
