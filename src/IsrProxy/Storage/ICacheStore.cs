namespace IsrProxy.Storage;

/// <summary>
/// Where responses live. Implementations: the in-process <see cref="Memory.MemoryCacheStore"/> and the Redis store with
/// an in-process level in front. A read error is reported as a miss by the caller, never as a failed request.
/// </summary>
internal interface ICacheStore
{
    /// <summary>The entry stored under <paramref name="key"/>, or null.</summary>
    ValueTask<CacheEntry?> GetAsync(string key, CancellationToken ct);

    /// <summary>Stores <paramref name="entry"/> under its key unless a newer render is already there. False when it was not stored.</summary>
    ValueTask<bool> SetAsync(CacheEntry entry, CancellationToken ct);

    ValueTask RemoveAsync(string key, CancellationToken ct);

    /// <summary>
    /// Up to <paramref name="limit"/> entries carrying <paramref name="clockKey"/> (a tag, a path or a subtree), through
    /// an index kept on writes. Used by <c>mode=refresh</c>, never by a plain purge. A shared store may return them
    /// without their body: the refresh only needs what to ask the origin.
    /// </summary>
    ValueTask<IReadOnlyList<CacheEntry>> FindAsync(string clockKey, int limit, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> stored responses whose path starts with <paramref name="pathPrefix"/>, for the admin listing.</summary>
    ValueTask<IReadOnlyList<CacheEntry>> ListAsync(string pathPrefix, int limit, CancellationToken ct);

    /// <summary>True when the store can be read and written now (readiness).</summary>
    ValueTask<bool> PingAsync(CancellationToken ct);

    /// <summary>Number of entries (responses and Vary markers).</summary>
    long Count { get; }

    /// <summary>Approximate bytes held.</summary>
    long Bytes { get; }
}
