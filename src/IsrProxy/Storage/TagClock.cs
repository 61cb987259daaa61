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
    private long _lastChangeTicks = long.MinValue;
    private long _staleFloorTicks = long.MinValue;
    private long _expiredFloorTicks = long.MinValue;

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
            ? (FromTicks(Volatile.Read(ref s.StaleAtTicks)), FromTicks(Volatile.Read(ref s.ExpiredAtTicks)))
            : (null, null);

    /// <summary>Judges an entry rendered at <paramref name="renderStartedAt"/> carrying <paramref name="clockKeys"/>.</summary>
    public ClockVerdict Evaluate(string[] clockKeys, DateTimeOffset renderStartedAt)
    {
        var rendered = renderStartedAt.UtcTicks;
        if (Volatile.Read(ref _lastChangeTicks) < rendered)
        {
            return default;                                   // nothing was purged since this render began
        }

        if (Volatile.Read(ref _expiredFloorTicks) >= rendered)
        {
            return new ClockVerdict(Expired: true, StaleSince: null);
        }

        var staleSince = Volatile.Read(ref _staleFloorTicks) >= rendered ? Volatile.Read(ref _staleFloorTicks) : long.MinValue;
        foreach (var key in clockKeys)
        {
            if (!_stamps.TryGetValue(key, out var stamps))
            {
                continue;
            }

            if (Volatile.Read(ref stamps.ExpiredAtTicks) >= rendered)
            {
                return new ClockVerdict(Expired: true, StaleSince: null);
            }

            var staleAt = Volatile.Read(ref stamps.StaleAtTicks);
            if (staleAt >= rendered && (staleSince == long.MinValue || staleAt < staleSince))
            {
                staleSince = staleAt;
            }
        }

        return new ClockVerdict(Expired: false, StaleSince: FromTicks(staleSince));
    }

    private void Mark(string clockKey, InvalidationKind kind, DateTimeOffset at, bool raise)
    {
        var ticks = at.UtcTicks;
        if (_stamps.Count >= _capacity && !_stamps.ContainsKey(clockKey))
        {
            Fold(ticks, kind);
        }
        else
        {
            var stamps = _stamps.GetOrAdd(clockKey, static _ => new Stamps());
            if (kind == InvalidationKind.Expire)
            {
                RaiseTo(ref stamps.ExpiredAtTicks, ticks);
            }

            RaiseTo(ref stamps.StaleAtTicks, ticks);                // an expired entry is stale as well, should it be read
        }

        RaiseTo(ref _lastChangeTicks, ticks);
        if (raise)
        {
            Marked?.Invoke(clockKey, kind, at);
        }
    }

    private void Fold(long ticks, InvalidationKind kind)
    {
        lock (_foldLock)
        {
            // Too many distinct stamps: every entry rendered before now becomes stale (and expired, when any folded
            // stamp expired); the map starts again empty. Pages keep being served while they regenerate.
            var expire = kind == InvalidationKind.Expire;
            var newest = ticks;
            foreach (var pair in _stamps)
            {
                expire |= Volatile.Read(ref pair.Value.ExpiredAtTicks) != long.MinValue;
                newest = Math.Max(newest, Volatile.Read(ref pair.Value.StaleAtTicks));
            }

            RaiseTo(ref _staleFloorTicks, newest);
            if (expire)
            {
                RaiseTo(ref _expiredFloorTicks, newest);
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

    // Stamps are kept in ticks: a render started a moment after a purge is not mistaken for one started with it.
    private static DateTimeOffset? FromTicks(long ticks) => ticks == long.MinValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);

    private sealed class Stamps
    {
        public long StaleAtTicks = long.MinValue;
        public long ExpiredAtTicks = long.MinValue;
    }
}

internal enum InvalidationKind
{
    Stale,
    Expire,
}

/// <summary>What the clock says about one entry: expired (a miss), stale since a purge, or untouched (default).</summary>
internal readonly record struct ClockVerdict(bool Expired, DateTimeOffset? StaleSince);
