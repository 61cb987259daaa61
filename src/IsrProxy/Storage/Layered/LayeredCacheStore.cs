using IsrProxy.Storage.Memory;
using IsrProxy.Storage.Redis;

namespace IsrProxy.Storage.Layered;

/// <summary>
/// The store of Redis mode: an in-process L1 (<see cref="MemoryCacheStore"/>, bounded by <c>Isr:Store:L1MaxBytes</c>) in
/// front of the shared <see cref="RedisCacheStore"/>.
/// <list type="bullet">
/// <item>Synchronised (subscribed and resynchronised): lookups are answered by L1 when it holds the key, else read from
/// Redis and kept in L1; other replicas' writes and purges reach L1 and the clock through pub/sub.</item>
/// <item>Not synchronised: every lookup reads Redis, together with the stamps of the entry's clock keys, so neither a
/// missed write nor a missed purge is served.</item>
/// <item>Redis down: lookups are answered by L1 as it is (best effort), misses go to the origin, writes are kept in L1.
/// Nothing here throws for a Redis failure.</item>
/// </list>
/// </summary>
internal sealed class LayeredCacheStore(
    RedisCacheStore shared,
    L1Coherence coherence,
    RedisClockReplication clock,
    RedisGuard guard,
    SharedStoreStats stats) : ICacheStore, IInProcessLookup
{
    // Refresh purges and the admin listing read many entries at once, off the request path of ordinary pages.
    private static readonly TimeSpan BulkTimeout = TimeSpan.FromSeconds(10);

    private readonly MemoryCacheStore _l1 = coherence.L1;

    /// <summary>Entries in Redis, as last seen by this replica.</summary>
    public long Count => shared.Count;

    /// <summary>Bytes held in L1.</summary>
    public long Bytes => _l1.Bytes;

    public MemoryCacheStore L1 => _l1;

    public SharedStoreStats Stats => stats;

    public bool IsSynchronised => coherence.IsTrusted;

    /// <summary>Reachable means Redis answers: L1 alone keeps serving, but the replica is then degraded.</summary>
    public ValueTask<bool> PingAsync(CancellationToken ct) => shared.PingAsync(ct);

    public ValueTask<CacheEntry?> GetAsync(string key, CancellationToken ct)
        => TryGetInProcess(key, out var hit) ? new ValueTask<CacheEntry?>(hit) : ReadThroughAsync(key, ct);

    /// <summary>An L1 hit while L1 is trusted; anything else is for <see cref="GetAsync"/>, which reads Redis.</summary>
    public bool TryGetInProcess(ReadOnlySpan<char> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CacheEntry? entry)
    {
        if (coherence.IsTrusted && _l1.TryGet(key, out entry))
        {
            stats.L1Hit();
            return true;
        }

        entry = null;
        return false;
    }

    public async ValueTask<bool> SetAsync(CacheEntry entry, CancellationToken ct)
    {
        var generation = coherence.Generation;
        var written = await guard.RunAsync((_, token) => shared.SetAsync(entry, token).AsTask(), ct);
        if (!written.Succeeded)
        {
            return _l1.Set(entry);                                     // Redis down: at least this replica keeps it
        }

        if (written.Value)
        {
            coherence.Remember(entry, generation);
        }

        return written.Value;
    }

    public async ValueTask RemoveAsync(string key, CancellationToken ct)
    {
        await guard.RunAsync(async (_, token) =>
        {
            await shared.RemoveAsync(key, token);
            return true;
        }, ct);
        _l1.Remove(key);
    }

    public async ValueTask<IReadOnlyList<CacheEntry>> FindAsync(string clockKey, int limit, CancellationToken ct)
    {
        var found = await guard.RunAsync((_, token) => shared.FindAsync(clockKey, limit, token).AsTask(), ct, BulkTimeout);
        return found.Succeeded ? found.Value : await _l1.FindAsync(clockKey, limit, ct);
    }

    public async ValueTask<IReadOnlyList<CacheEntry>> ListAsync(string pathPrefix, int limit, CancellationToken ct)
    {
        var listed = await guard.RunAsync((_, token) => shared.ListAsync(pathPrefix, limit, token).AsTask(), ct, BulkTimeout);
        return listed.Succeeded ? listed.Value : await _l1.ListAsync(pathPrefix, limit, ct);
    }

    private async ValueTask<CacheEntry?> ReadThroughAsync(string key, CancellationToken ct)
    {
        var generation = coherence.Generation;
        var trusted = coherence.IsTrusted;
        var read = await guard.RunAsync(
            async (connection, token) =>
            {
                var entry = await shared.GetAsync(key, token);
                if (entry is not null && !trusted)
                {
                    await clock.RefreshAsync(connection, entry.ClockKeys, token);   // purges this replica may not have heard of
                }

                return entry;
            },
            ct);
        if (!read.Succeeded)
        {
            return _l1.TryGet(key, out var kept) ? kept : null;
        }

        stats.RedisRead();
        if (read.Value is { } found && trusted)
        {
            coherence.Remember(found, generation);
        }

        return read.Value;
    }
}
