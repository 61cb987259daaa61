using IsrProxy.Storage;

namespace IsrProxy.Tests.Unit.Storage;

/// <summary>Small entries for unit tests.</summary>
internal static class Entries
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static CacheEntry Make(
        string key,
        int bodyBytes = 100,
        DateTimeOffset? renderStartedAt = null,
        TimeSpan? revalidate = null,
        TimeSpan? maxStale = null,
        string[]? tags = null,
        TimeSpan? staleIfError = null)
    {
        var started = renderStartedAt ?? T0;
        var path = key.Split('?')[0];
        return new CacheEntry
        {
            Key = key,
            Path = path,
            PathAndQuery = key,
            StatusCode = 200,
            Body = new byte[bodyBytes],
            RenderStartedAt = started,
            GeneratedAt = started,
            RevalidateAt = revalidate is { } r ? started + r : null,
            MaxStale = maxStale ?? TimeSpan.FromDays(365),
            StaleIfError = staleIfError ?? TimeSpan.Zero,
            Tags = tags ?? [],
            ClockKeys = ClockKeys.For(path, tags ?? []),
        };
    }
}
