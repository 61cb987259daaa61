using System.Collections.Concurrent;
using IsrProxy.Configuration;
using IsrProxy.Observability;
using IsrProxy.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IsrProxy.Storage.Redis;

/// <summary>
/// Carries <see cref="TagClock"/> stamps between replicas through Redis. Each local mark is queued (merged per clock
/// key, stamps only move forward) and written by the mark script, which keeps the newest stamp per key in one hash and
/// publishes it; other replicas <see cref="TagClock.Apply"/> what they hear. Stamps that cannot be written stay queued
/// until Redis is back. A replica that may have missed messages reads the whole hash (<see cref="ResynchroniseAsync"/>)
/// or, per lookup, the stamps of one entry (<see cref="RefreshAsync"/>).
/// </summary>
internal sealed partial class RedisClockReplication : IClockReplication, IDisposable
{
    /// <summary>Clock keys waiting to be written at most; past it new stamps apply on this replica only (and are logged).</summary>
    public const int MaxPending = 100_000;

    private const int WriteBatch = 128;
    private const int ScanPage = 1000;

    // A stamp older than every entry Redis can still hold cannot change any verdict; the margin covers render times.
    private static readonly TimeSpan PruneMargin = TimeSpan.FromHours(1);

    private readonly TagClock _clock;
    private readonly RedisClients _clients;
    private readonly RedisGuard _guard;
    private readonly RedisKeys _keys;
    private readonly RedisStoreScripts _scripts;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisClockReplication> _logger;
    private readonly TimeSpan _maxStaleAge;
    private readonly ConcurrentDictionary<string, PendingStamps> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private long _dropped;

    public RedisClockReplication(
        TagClock clock,
        RedisClients clients,
        RedisGuard guard,
        RedisKeys keys,
        RedisStoreScripts scripts,
        IOptions<IsrOptions> options,
        TimeProvider time,
        ILogger<RedisClockReplication> logger)
    {
        _clock = clock;
        _clients = clients;
        _guard = guard;
        _keys = keys;
        _scripts = scripts;
        _time = time;
        _logger = logger;
        _maxStaleAge = TimeSpan.FromSeconds(options.Value.Store.MaxStaleAgeSeconds);
        clock.Marked += OnMarked;
    }

    /// <summary>Raised when a stamp is queued, so the backplane writes stamps nobody waits for (unsafe-method invalidations).</summary>
    public event Action? StampsPending;

    public int Pending => _pending.Count;

    /// <summary>Stamps that could not even be queued (the queue was full); they applied on this replica only.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public async Task<bool> FlushAsync(CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            while (!_pending.IsEmpty)
            {
                var batch = Take(WriteBatch);
                var written = false;
                try
                {
                    // Not the caller's token: a purge whose client left must still reach the other replicas. The guard's
                    // timeout bounds the write.
                    written = (await _guard.RunAsync((connection, token) => WriteAsync(connection, batch, token), CancellationToken.None)).Succeeded;
                }
                finally
                {
                    if (!written)
                    {
                        foreach (var (clockKey, stamps) in batch)
                        {
                            Merge(clockKey, stamps);                  // written when Redis is back
                        }
                    }
                }

                if (!written)
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>A stamp another replica published.</summary>
    public void ApplyHeard(string clockKey, InvalidationKind kind, DateTimeOffset at) => _clock.Apply(clockKey, kind, at);

    /// <summary>Reads the stamps of <paramref name="clockKeys"/> from Redis into the local clock. Throws when Redis fails.</summary>
    public async Task RefreshAsync(RedisConnection connection, string[] clockKeys, CancellationToken ct)
    {
        if (clockKeys.Length == 0)
        {
            return;
        }

        var values = await connection.HMGetAsync(_keys.Clock, clockKeys, ct);
        for (var i = 0; i < clockKeys.Length; i++)
        {
            if (values[i] is { } value)
            {
                Apply(clockKeys[i], System.Text.Encoding.ASCII.GetString(value));
            }
        }
    }

    /// <summary>
    /// Applies every stamp in Redis to the local clock and deletes those too old to matter; returns how many were applied.
    /// Throws when Redis fails.
    /// </summary>
    public async Task<int> ResynchroniseAsync(RedisConnection connection, CancellationToken ct)
    {
        var oldest = _time.GetUtcNow() - _maxStaleAge - PruneMargin;
        var applied = 0;
        long cursor = 0;
        var pages = 0;
        do
        {
            var page = await connection.HScanAsync(_keys.Clock, cursor, ScanPage, ct);
            List<string>? obsolete = null;
            foreach (var (clockKey, raw) in page.Fields)
            {
                var value = System.Text.Encoding.ASCII.GetString(raw);
                if (RedisStamps.TryParseClockValue(value, out var staleAt, out _) && staleAt < oldest)
                {
                    (obsolete ??= []).Add(clockKey);
                }
                else if (Apply(clockKey, value))
                {
                    applied++;
                }
            }

            if (obsolete is not null)
            {
                await connection.HDelAsync(_keys.Clock, obsolete, ct);
            }

            cursor = page.Cursor;
        }
        while (cursor != 0 && ++pages < TagClock.DefaultCapacity / ScanPage * 2);
        return applied;
    }

    public void Dispose()
    {
        _clock.Marked -= OnMarked;
        _writeGate.Dispose();
    }

    private bool Apply(string clockKey, string value)
    {
        if (!RedisStamps.TryParseClockValue(value, out var staleAt, out var expiredAt))
        {
            Log.BadClockValue(_logger, clockKey, value);
            return false;
        }

        if (expiredAt is { } expired)
        {
            _clock.Apply(clockKey, InvalidationKind.Expire, expired);
        }

        if (staleAt is { } stale)
        {
            _clock.Apply(clockKey, InvalidationKind.Stale, stale);
        }

        return true;
    }

    private void OnMarked(string clockKey, InvalidationKind kind, DateTimeOffset at)
    {
        var stamps = kind == InvalidationKind.Expire ? new PendingStamps(at.UtcTicks, at.UtcTicks) : new PendingStamps(at.UtcTicks, long.MinValue);
        if (_pending.Count >= MaxPending && !_pending.ContainsKey(clockKey))
        {
            Interlocked.Increment(ref _dropped);
            Log.BacklogFull(_logger, clockKey, MaxPending);
            return;
        }

        Merge(clockKey, stamps);
        StampsPending?.Invoke();
    }

    private void Merge(string clockKey, PendingStamps stamps)
        => _pending.AddOrUpdate(clockKey, static (_, added) => added, static (_, current, added) => current.Max(added), stamps);

    private List<KeyValuePair<string, PendingStamps>> Take(int count)
    {
        var batch = new List<KeyValuePair<string, PendingStamps>>(Math.Min(count, _pending.Count));
        foreach (var clockKey in _pending.Keys)
        {
            if (batch.Count == count)
            {
                break;
            }

            if (_pending.TryRemove(clockKey, out var stamps))
            {
                batch.Add(new(clockKey, stamps));
            }
        }

        return batch;
    }

    private async Task<long> WriteAsync(RedisConnection connection, List<KeyValuePair<string, PendingStamps>> batch, CancellationToken ct)
    {
        var args = new List<RedisArg>(1 + (batch.Count * 8))
        {
            _keys.Channel,
        };
        foreach (var (clockKey, stamps) in batch)
        {
            if (stamps.ExpiredTicks != long.MinValue)
            {
                AddMark(args, clockKey, InvalidationKind.Expire, stamps.ExpiredTicks);
            }

            if (stamps.StaleTicks > stamps.ExpiredTicks)
            {
                AddMark(args, clockKey, InvalidationKind.Stale, stamps.StaleTicks);
            }
        }

        return (await connection.EvaluateAsync(_scripts.Mark, [_keys.Clock], args, ct)).AsInt64();
    }

    private void AddMark(List<RedisArg> args, string clockKey, InvalidationKind kind, long ticks)
    {
        var at = new DateTimeOffset(ticks, TimeSpan.Zero);
        args.Add(clockKey);
        args.Add(StoreMessage.KindCode(kind));
        args.Add(RedisStamps.Format(at));
        args.Add(StoreMessage.Marked(_clients.ReplicaId, clockKey, kind, at));
    }

    /// <summary>The newest stale and expire stamps of one clock key still to be written (ticks; MinValue for none).</summary>
    private readonly record struct PendingStamps(long StaleTicks, long ExpiredTicks)
    {
        public PendingStamps Max(PendingStamps other)
            => new(Math.Max(StaleTicks, other.StaleTicks), Math.Max(ExpiredTicks, other.ExpiredTicks));
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.ClockBacklogFull, LogLevel.Warning, "{Pending} clock keys already wait for Redis; the stamp of {ClockKey} applies on this replica only", EventName = "ClockBacklogFull")]
        public static partial void BacklogFull(ILogger logger, string clockKey, int pending);

        [LoggerMessage(EventIds.BadClockValue, LogLevel.Warning, "Ignored the clock stamp of {ClockKey} in Redis: '{Value}' is not stale:expired ticks", EventName = "BadClockValue")]
        public static partial void BadClockValue(ILogger logger, string clockKey, string value);
    }
}
