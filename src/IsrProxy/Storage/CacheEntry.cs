using Microsoft.Extensions.Primitives;

namespace IsrProxy.Storage;

/// <summary>
/// One stored response (one variant of one URL), or a Vary marker that tells which request headers split a URL into
/// variants. Immutable but for the regeneration back-off and the serialized hit heads, per-process state that is never
/// persisted.
/// </summary>
internal sealed class CacheEntry
{
    private long _retryAfterUnixMs;
    private byte[]?[]? _hitHeads;
    private DateTimeOffset? _revalidateAt;
    private string[] _tags = [];
    private string[] _clockKeys = [];

    public required string Key { get; init; }

    /// <summary>The key of the URL without its origin Vary values; equal to <see cref="Key"/> when the response does not vary.</summary>
    public string? PrimaryKey { get; init; }

    /// <summary>The URL path, used for implicit path and subtree tags.</summary>
    public required string Path { get; init; }

    /// <summary>The path and query the origin was asked for; regeneration asks again for exactly this.</summary>
    public required string PathAndQuery { get; init; }

    /// <summary>Request headers sent to the origin for this render (the ones that can change it); replayed by regeneration.</summary>
    public KeyValuePair<string, string>[] RequestHeaders { get; init; } = [];

    public int StatusCode { get; init; }

    /// <summary>Response headers to replay, without hop-by-hop fields, Set-Cookie, Age, Content-Length, Cache-Control and Cache-Status.</summary>
    public KeyValuePair<string, StringValues>[] Headers { get; init; } = [];

    public string? CacheControl { get; init; }

    /// <summary>The origin's own Cache-Status value, to which this cache appends its member.</summary>
    public string? OriginCacheStatus { get; init; }

    public string? ETag { get; init; }

    public string? LastModified { get; init; }

    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Compressed variants of <see cref="Body"/> made when storing, best first; empty when there are none.</summary>
    public Caching.Compression.EncodedBody[] Encodings { get; init; } = [];

    /// <summary>When the render that produced this entry started. Purges at or after this instant invalidate it.</summary>
    public DateTimeOffset RenderStartedAt { get; init; }

    /// <summary>When the response arrived; Age counts from here.</summary>
    public DateTimeOffset GeneratedAt { get; init; }

    /// <summary>The origin's Age header, added to the time spent in this cache.</summary>
    public TimeSpan InitialAge { get; init; }

    /// <summary>When the entry becomes stale; null when it stays fresh until purged (<c>Revalidate: false</c>).</summary>
    public DateTimeOffset? RevalidateAt { get => _revalidateAt; init => _revalidateAt = value; }

    /// <summary>How long past <see cref="RevalidateAt"/> the entry may still be served stale; past that it is a miss.</summary>
    public TimeSpan MaxStale { get; init; }

    /// <summary>How much longer than <see cref="MaxStale"/> a stale entry may be served while the origin fails.</summary>
    public TimeSpan StaleIfError { get; init; }

    /// <summary>Tags from the rule and the origin's tag headers.</summary>
    public string[] Tags { get => _tags; init => _tags = value; }

    /// <summary>Every <see cref="TagClock"/> key that can invalidate this entry: its tags, its path, and each ancestor prefix.</summary>
    public string[] ClockKeys { get => _clockKeys; init => _clockKeys = value; }

    /// <summary>For a Vary marker: the request header names (lower case, sorted) that split this URL. Empty otherwise.</summary>
    public string[] VaryOn { get; init; } = [];

    public bool IsVaryMarker { get; init; }

    /// <summary>
    /// A hit-for-pass marker: the last answer for this key could not be stored, so until <see cref="RevalidateAt"/> its
    /// requests go to the origin on their own, uncoalesced. It has no answer to serve.
    /// </summary>
    public bool IsHitForPass { get; init; }

    /// <summary>True for a Vary or hit-for-pass marker: an entry that is never served, listed or regenerated.</summary>
    public bool IsMarker => IsVaryMarker || IsHitForPass;

    /// <summary>Approximate memory held, used by the store's byte bound.</summary>
    public long Size => EstimateSize();

    /// <summary>The earliest time a failed regeneration may be retried.</summary>
    public DateTimeOffset RetryAfter
    {
        get => DateTimeOffset.FromUnixTimeMilliseconds(Volatile.Read(ref _retryAfterUnixMs));
        set => Volatile.Write(ref _retryAfterUnixMs, value.ToUnixTimeMilliseconds());
    }

    /// <summary>
    /// The serialized head of this entry's hit answer for the identity body (0) or stored encoding <c>i</c> (i + 1),
    /// as <see cref="Caching.Connections.HitHeads"/> makes it; an empty array when the answer cannot be sent that way.
    /// </summary>
    internal byte[] HitHead(int variant)
    {
        var heads = Volatile.Read(ref _hitHeads);
        if (heads is null)
        {
            heads = new byte[]?[Encodings.Length + 1];
            heads = Interlocked.CompareExchange(ref _hitHeads, heads, null) ?? heads;
        }

        return heads[variant] ??= Caching.Connections.HitHeads.Build(this, variant);   // a race builds the same bytes twice
    }

    /// <summary>True when every hit head has been made.</summary>
    internal bool HitHeadsReady => Volatile.Read(ref _hitHeads) is { } heads && Array.TrueForAll(heads, h => h is not null);

    /// <summary>
    /// Makes every hit head now. The in-process stores call it when they take an entry, so the heads are allocated
    /// with the entry rather than by its first hits, which would leave young objects hanging off old ones.
    /// </summary>
    internal void PrepareHitHeads()
    {
        for (var variant = 0; variant <= Encodings.Length; variant++)
        {
            HitHead(variant);
        }
    }

    /// <summary>
    /// A copy of this entry with another revalidate time, tags and clock keys, and every other field as it is (the
    /// per-process back-off and hit heads start again).
    /// </summary>
    internal CacheEntry Reshaped(DateTimeOffset? revalidateAt, string[] tags, string[] clockKeys)
    {
        var copy = (CacheEntry)MemberwiseClone();
        copy._revalidateAt = revalidateAt;
        copy._tags = tags;
        copy._clockKeys = clockKeys;
        copy._retryAfterUnixMs = 0;
        copy._hitHeads = null;
        return copy;
    }

    public DateTimeOffset? ExpireAt => RevalidateAt is { } at ? Saturating(at, MaxStale) : null;

    private static DateTimeOffset Saturating(DateTimeOffset at, TimeSpan add)
        => DateTimeOffset.MaxValue - at <= add ? DateTimeOffset.MaxValue : at + add;

    private long EstimateSize()
    {
        const int ObjectOverhead = 256;
        const int HitHeadOverhead = 192;
        long size = ObjectOverhead + Body.Length + (Key.Length + Path.Length + PathAndQuery.Length) * 2L;
        foreach (var encoding in Encodings)
        {
            size += 64 + encoding.Body.Length;
        }

        long fieldBytes = 0;
        foreach (var header in Headers)
        {
            size += 32 + header.Key.Length * 2L;
            foreach (var value in header.Value)
            {
                size += (value?.Length ?? 0) * 2L;
                fieldBytes += header.Key.Length + (value?.Length ?? 0) + 4;
            }
        }

        // The hit heads, one per variant: the stored fields once more as bytes, and the cache's own.
        size += (Encodings.Length + 1) * (HitHeadOverhead + fieldBytes);

        foreach (var key in ClockKeys)
        {
            size += 24 + key.Length * 2L;
        }

        return size;
    }
}
