using System.Collections.Concurrent;

namespace IsrProxy.Storage;

/// <summary>
/// Invalidation by timestamp: each tag, path or subtree remembers when it was last marked stale and when it was last
/// expired. An entry is judged against the stamps of its own <see cref="CacheEntry.ClockKeys"/> at lookup, so a purge is
/// one write whatever the number of entries carrying the tag. Stamps at or after an entry's render start win (ties lose),
/// so a purge that lands while a render is in flight is never undone by that render.
/// </summary>
internal sealed class TagClock
{
    /// <summary>Stamps kept at most; past it, they fold into clock-wide floors (conservative: more is stale, nothing stays fresh wrongly).</summary>
    public const int DefaultCapacity = 1_000_000;

    private readonly ConcurrentDictionary<string, Stamps> _stamps = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private readonly Lock _foldLock = new();
    private long _lastChangeMs = long.MinValue;
    private long _staleFloorMs = long.MinValue;
    private long _expiredFloorMs = long.MinValue;

    public TagClock(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _stamps.Count;

    /// <summary>Raised after every local mark, so a shared store can publish it to other replicas.</summary>
    public event Action<string, InvalidationKind, DateTimeOffset>? Marked;

    public void MarkStale(string clockKey, DateTimeOffset at) => Mark(clockKey, InvalidationKind.Stale, at, raise: true);

    public void MarkExpired(string clockKey, DateTimeOffset at) => Mark(clockKey, InvalidationKind.Expire, at, raise: true);

    /// <summary>Applies a stamp that another replica made; does not raise <see cref="Marked"/>.</summary>
    public void Apply(string clockKey, InvalidationKind kind, DateTimeOffset at) => Mark(clockKey, kind, at, raise: false);

    public (DateTimeOffset? StaleAt, DateTimeOffset? ExpiredAt) Get(string clockKey)
        => _stamps.TryGetValue(clockKey, out var s)
            ? (FromMs(Volatile.Read(ref s.StaleAtMs)), FromMs(Volatile.Read(ref s.ExpiredAtMs)))
            : (null, null);

    /// <summary>Judges an entry rendered at <paramref name="renderStartedAt"/> carrying <paramref name="clockKeys"/>.</summary>
    public ClockVerdict Evaluate(string[] clockKeys, DateTimeOffset renderStartedAt)
    {
        var rendered = renderStartedAt.ToUnixTimeMilliseconds();
        if (Volatile.Read(ref _lastChangeMs) < rendered)
        {
            return default;                                   // nothing was purged since this render began
        }

        if (Volatile.Read(ref _expiredFloorMs) >= rendered)
        {
            return new ClockVerdict(Expired: true, StaleSince: null);
        }

        var staleSince = Volatile.Read(ref _staleFloorMs) >= rendered ? Volatile.Read(ref _staleFloorMs) : long.MinValue;
        foreach (var key in clockKeys)
        {
            if (!_stamps.TryGetValue(key, out var stamps))
            {
                continue;
            }

            if (Volatile.Read(ref stamps.ExpiredAtMs) >= rendered)
            {
                return new ClockVerdict(Expired: true, StaleSince: null);
            }

            var staleAt = Volatile.Read(ref stamps.StaleAtMs);
            if (staleAt >= rendered && (staleSince == long.MinValue || staleAt < staleSince))
            {
                staleSince = staleAt;
            }
        }

        return new ClockVerdict(Expired: false, StaleSince: FromMs(staleSince));
    }

    private void Mark(string clockKey, InvalidationKind kind, DateTimeOffset at, bool raise)
    {
        var ms = at.ToUnixTimeMilliseconds();
        if (_stamps.Count >= _capacity && !_stamps.ContainsKey(clockKey))
        {
            Fold(ms, kind);
        }
        else
        {
            var stamps = _stamps.GetOrAdd(clockKey, static _ => new Stamps());
            if (kind == InvalidationKind.Expire)
            {
                RaiseTo(ref stamps.ExpiredAtMs, ms);
            }

            RaiseTo(ref stamps.StaleAtMs, ms);                // an expired entry is stale as well, should it be read
        }

        RaiseTo(ref _lastChangeMs, ms);
        if (raise)
        {
            Marked?.Invoke(clockKey, kind, at);
        }
    }

    private void Fold(long ms, InvalidationKind kind)
    {
        lock (_foldLock)
        {
            // Too many distinct stamps: every entry rendered before now becomes stale (and expired, when any folded
            // stamp expired); the map starts again empty. Pages keep being served while they regenerate.
            var expire = kind == InvalidationKind.Expire;
            var newest = ms;
            foreach (var pair in _stamps)
            {
                expire |= Volatile.Read(ref pair.Value.ExpiredAtMs) != long.MinValue;
                newest = Math.Max(newest, Volatile.Read(ref pair.Value.StaleAtMs));
            }

            RaiseTo(ref _staleFloorMs, newest);
            if (expire)
            {
                RaiseTo(ref _expiredFloorMs, newest);
            }

            _stamps.Clear();
        }
    }

    private static void RaiseTo(ref long location, long value)
    {
        var current = Volatile.Read(ref location);
        while (current < value)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static DateTimeOffset? FromMs(long ms) => ms == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private sealed class Stamps
    {
        public long StaleAtMs = long.MinValue;
        public long ExpiredAtMs = long.MinValue;
    }
}

internal enum InvalidationKind
{
    Stale,
    Expire,
}

/// <summary>What the clock says about one entry: expired (a miss), stale since a purge, or untouched (default).</summary>
internal readonly record struct ClockVerdict(bool Expired, DateTimeOffset? StaleSince);
