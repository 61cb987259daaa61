using System.Text;
using IsrProxy.Configuration;
using IsrProxy.Redis;
using Microsoft.Extensions.Options;

namespace IsrProxy.Storage.Redis;

/// <summary>
/// The shared level: entries in Redis, one hash per key (render start, metadata, body), a set per clock key for
/// <see cref="FindAsync"/>, a lexically sorted set of paths for <see cref="ListAsync"/>, and expiry so abandoned entries
/// go. Every write is one script: a render never replaces one that started later, and the write is announced on the
/// events channel after it is visible. Entries found by <see cref="FindAsync"/> carry no body: a refresh only needs to
/// know what to ask the origin. Redis failures are thrown (<see cref="RedisException"/>); the layered store in front
/// turns them into misses.
/// </summary>
internal sealed class RedisCacheStore : ICacheStore
{
    private const int ScanPage = 256;
    private const int ReadBatch = 64;
    private const int MaxListingPages = 16;
    private static readonly string[] EntryFields = ["m", "b"];

    private readonly RedisClients _clients;
    private readonly RedisKeys _keys;
    private readonly RedisStoreScripts _scripts;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxStaleAge;
    private long _count;

    public RedisCacheStore(RedisClients clients, RedisKeys keys, RedisStoreScripts scripts, IOptions<IsrOptions> options, TimeProvider time)
    {
        _clients = clients;
        _keys = keys;
        _scripts = scripts;
        _time = time;
        _maxStaleAge = TimeSpan.FromSeconds(options.Value.Store.MaxStaleAgeSeconds);
    }

    /// <summary>Entries in Redis under this prefix, as of this replica's last write, removal or count.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Memory held in this process: none (Redis reports its own).</summary>
    public long Bytes => 0;

    public TimeSpan MaxStaleAge => _maxStaleAge;

    /// <summary>True when the command connection is up and Redis answers PING.</summary>
    public async ValueTask<bool> PingAsync(CancellationToken ct)
    {
        if (_clients.Connection is not { State: RedisConnectionState.Connected } connection)
        {
            return false;
        }

        try
        {
            await connection.PingAsync(_time, ct);
            return true;
        }
        catch (RedisException)
        {
            return false;                                       // the client's own logs and counters say why
        }
    }

    public async ValueTask<CacheEntry?> GetAsync(string key, CancellationToken ct)
    {
        var values = await Connection.HMGetAsync(_keys.Entry(key), EntryFields, ct);
        return values[0] is { } metadata ? CacheEntryFormat.Read(metadata, values[1] ?? []) : null;
    }

    public async ValueTask<bool> SetAsync(CacheEntry entry, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var ttl = TimeToLive(entry, now);
        if (ttl <= TimeSpan.Zero)
        {
            return false;                                             // past every window it could be served in
        }

        var ttlMs = (long)Math.Ceiling(ttl.TotalMilliseconds);
        var redisKeys = new RedisArg[3 + entry.ClockKeys.Length];
        redisKeys[0] = _keys.Entry(entry.Key);
        redisKeys[1] = _keys.Listing;
        redisKeys[2] = _keys.Expiry;
        for (var i = 0; i < entry.ClockKeys.Length; i++)
        {
            redisKeys[3 + i] = _keys.Index(entry.ClockKeys[i]);
        }

        RedisArg[] args =
        [
            RedisStamps.Format(entry.RenderStartedAt),
            CacheEntryFormat.WriteMetadata(entry),
            entry.Body,
            ttlMs,
            now.ToUnixTimeMilliseconds() + ttlMs,
            RedisKeys.Member(entry),
            entry.Key,
            now.ToUnixTimeMilliseconds(),
            _keys.Channel,
            StoreMessage.Written(_clients.ReplicaId, entry.Key),
            entry.IsMarker ? "0" : "1",
        ];
        var result = (await Connection.EvaluateAsync(_scripts.Write, redisKeys, args, ct)).AsInt64();
        if (result < 0)
        {
            return false;
        }

        Volatile.Write(ref _count, result);
        return true;
    }

    public async ValueTask RemoveAsync(string key, CancellationToken ct)
    {
        var left = await Connection.EvaluateAsync(
            _scripts.Remove,
            [_keys.Entry(key), _keys.Listing, _keys.Expiry],
            [_keys.Channel, StoreMessage.Removed(_clients.ReplicaId, key)],
            ct);
        Volatile.Write(ref _count, left.AsInt64());
    }

    public async ValueTask<IReadOnlyList<CacheEntry>> FindAsync(string clockKey, int limit, CancellationToken ct)
    {
        var connection = Connection;
        var index = _keys.Index(clockKey);
        var found = new List<CacheEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var batch = new List<string>(ReadBatch);
        await foreach (var key in connection.SScanAllAsync(index, ScanPage, ct))
        {
            if (seen.Add(key))
            {
                batch.Add(key);
            }

            if (batch.Count == ReadBatch)
            {
                await ReadIndexedAsync(index, clockKey, batch, found, ct);
                batch.Clear();
                if (found.Count >= limit)
                {
                    break;
                }
            }
        }

        if (batch.Count > 0 && found.Count < limit)
        {
            await ReadIndexedAsync(index, clockKey, batch, found, ct);
        }

        return found.Count > limit ? found.GetRange(0, limit) : found;
    }

    public async ValueTask<IReadOnlyList<CacheEntry>> ListAsync(string pathPrefix, int limit, CancellationToken ct)
    {
        var connection = Connection;
        var prefix = Encoding.UTF8.GetBytes(pathPrefix);
        var max = new byte[prefix.Length + 2];
        max[0] = (byte)'[';
        prefix.CopyTo(max, 1);
        max[^1] = 0xFF;                                               // above every UTF-8 continuation of the prefix
        var min = new byte[prefix.Length + 1];
        min[0] = (byte)'[';
        prefix.CopyTo(min, 1);

        var found = new List<CacheEntry>();
        for (var page = 0; page < MaxListingPages && found.Count < limit; page++)
        {
            var members = await connection.ZRangeByLexAsync(_keys.Listing, min, max, limit - found.Count, ct);
            if (members.Count == 0)
            {
                break;
            }

            var entries = await Task.WhenAll(members.Select(m => GetAsync(RedisKeys.KeyOfMember(m), ct).AsTask()));
            var gone = new List<string>();
            for (var i = 0; i < members.Count; i++)
            {
                if (entries[i] is { } entry)
                {
                    found.Add(entry);
                }
                else
                {
                    gone.Add(members[i]);
                }
            }

            if (gone.Count == 0)
            {
                break;
            }

            // Members whose entries expired: drop them, then read on from the last one seen.
            await connection.ZRemAsync(_keys.Listing, gone, ct);
            await connection.ZRemAsync(_keys.Expiry, gone, ct);
            min = Encoding.UTF8.GetBytes("(" + members[^1]);
        }

        return found;
    }

    /// <summary>Reads the number of entries from Redis (after a resynchronisation, before this replica wrote anything).</summary>
    public async Task RefreshCountAsync(CancellationToken ct)
    {
        var count = await Connection.ExecuteAsync(new RedisCommand("ZCARD", _keys.Expiry), ct);
        Volatile.Write(ref _count, count.AsInt64());
    }

    /// <summary>
    /// How long Redis keeps <paramref name="entry"/>: until it is past its maximum stale age and stale-if-error window,
    /// and never longer than <c>Isr:Store:MaxStaleAgeSeconds</c> (entries cached until purged get exactly that).
    /// </summary>
    public TimeSpan TimeToLive(CacheEntry entry, DateTimeOffset now)
    {
        if (entry.ExpireAt is not { } expireAt)
        {
            return _maxStaleAge;
        }

        var left = expireAt - now;
        return left >= _maxStaleAge || _maxStaleAge - left <= entry.StaleIfError ? _maxStaleAge : left + entry.StaleIfError;
    }

    private RedisConnection Connection => _clients.Connection
        ?? throw new InvalidOperationException("The Redis store is used before the host started its connections.");

    // Metadata only: what a refresh needs to ask the origin again, without moving every body out of Redis.
    private async Task<CacheEntry?> GetWithoutBodyAsync(string key, CancellationToken ct)
        => await Connection.HGetAsync(_keys.Entry(key), "m", ct) is { } metadata ? CacheEntryFormat.Read(metadata, ReadOnlyMemory<byte>.Empty) : null;

    private async Task ReadIndexedAsync(string index, string clockKey, List<string> keys, List<CacheEntry> found, CancellationToken ct)
    {
        var entries = await Task.WhenAll(keys.Select(k => GetWithoutBodyAsync(k, ct)));
        List<string>? stale = null;
        for (var i = 0; i < keys.Count; i++)
        {
            // Gone (expired), or re-rendered without this tag: the index no longer holds for it.
            if (entries[i] is { } entry && entry.ClockKeys.Contains(clockKey, StringComparer.Ordinal))
            {
                found.Add(entry);
            }
            else
            {
                (stale ??= []).Add(keys[i]);
            }
        }

        if (stale is not null)
        {
            await Connection.SRemAsync(index, stale, ct);
        }
    }
}
