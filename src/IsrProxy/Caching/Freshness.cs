using IsrProxy.Storage;

namespace IsrProxy.Caching;

internal enum FreshnessState
{
    /// <summary>Nothing usable: never stored, hard-purged, or past its maximum stale age.</summary>
    Missing,
    Fresh,
    Stale,
}

/// <summary>The state of a stored entry at one instant, and how far from its revalidate time it is.</summary>
internal readonly record struct Freshness(FreshnessState State, TimeSpan? TimeToLive)
{
    public static Freshness Missing => new(FreshnessState.Missing, null);

    /// <summary>
    /// Fresh until <see cref="CacheEntry.RevalidateAt"/>; then stale for <see cref="CacheEntry.MaxStale"/>; then missing.
    /// A stale stamp on one of its tags, path or ancestors makes it stale now; an expire stamp makes it missing.
    /// </summary>
    public static Freshness Evaluate(CacheEntry? entry, TagClock clock, DateTimeOffset now)
    {
        if (entry is null || entry.IsHitForPass)
        {
            return Missing;
        }

        var verdict = clock.Evaluate(entry.ClockKeys, entry.RenderStartedAt);
        if (verdict.Expired)
        {
            return Missing;
        }

        if (entry.RevalidateAt is { } revalidateAt && now >= revalidateAt)
        {
            return entry.ExpireAt is { } expireAt && now >= expireAt
                ? Missing
                : new Freshness(FreshnessState.Stale, revalidateAt - now);
        }

        if (verdict.StaleSince is { } staleSince)
        {
            var since = staleSince < entry.RenderStartedAt ? entry.RenderStartedAt : staleSince;
            return new Freshness(FreshnessState.Stale, since > now ? TimeSpan.Zero : since - now);
        }

        return new Freshness(FreshnessState.Fresh, entry.RevalidateAt - now);
    }

    /// <summary>
    /// True when a missing entry may still be served because the origin is failing and the entry is within its
    /// <c>stale-if-error</c> window (RFC 5861) past its maximum stale age. An expire purge is never overridden.
    /// </summary>
    public static bool UsableOnError(CacheEntry? entry, TagClock clock, DateTimeOffset now)
    {
        if (entry is null || entry.IsMarker || clock.Evaluate(entry.ClockKeys, entry.RenderStartedAt).Expired)
        {
            return false;
        }

        if (entry.ExpireAt is not { } expireAt)
        {
            return true;
        }

        return now < expireAt || (entry.StaleIfError > TimeSpan.Zero && now - expireAt < entry.StaleIfError);
    }
}
