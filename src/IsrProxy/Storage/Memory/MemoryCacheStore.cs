using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using IsrProxy.Configuration;

namespace IsrProxy.Storage.Memory;

/// <summary>
/// The embedded store: a concurrent map bounded by bytes. Eviction is CLOCK (second chance), an approximation of LRU
/// whose reads take no lock: a read only sets the entry's reference bit; writes, which are rare, move the clock hand
/// under a lock and evict unreferenced entries until the store is back under its bound.
/// </summary>
internal sealed class MemoryCacheStore : ICacheStore, IInProcessLookup
{
    private readonly ConcurrentDictionary<string, Slot> _map = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Slot>.AlternateLookup<ReadOnlySpan<char>> _byChars;
    private readonly Dictionary<string, HashSet<string>> _index = new(StringComparer.Ordinal);   // clock key -> keys; under _writeLock
    private readonly LinkedList<Slot> _ring = new();
    private readonly Lock _writeLock = new();
    private readonly long _maxBytes;
    private LinkedListNode<Slot>? _hand;
    private long _bytes;

    public MemoryCacheStore(IOptions<IsrOptions> options)
        : this(options.Value.Store.MemoryMaxBytes)
    {
    }

    public MemoryCacheStore(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _maxBytes = maxBytes;
        _byChars = _map.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public long Count => _map.Count;

    public long Bytes => Volatile.Read(ref _bytes);

    public long MaxBytes => _maxBytes;

    /// <summary>Raised (outside the lock) for each entry evicted to make room.</summary>
    public event Action<CacheEntry>? Evicted;

    public ValueTask<CacheEntry?> GetAsync(string key, CancellationToken ct) => new(TryGet(key, out var entry) ? entry : null);

    /// <summary>
    /// The entry under the key <paramref name="key"/> spells (a string or any characters), without going through a
    /// task (the store never waits).
    /// </summary>
    public bool TryGet(ReadOnlySpan<char> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CacheEntry? entry)
    {
        if (_byChars.TryGetValue(key, out var slot))
        {
            slot.Referenced = true;
            entry = slot.Entry;
            return true;
        }

        entry = null;
        return false;
    }

    /// <summary>Everything this store holds is in process (false here is a miss in <see cref="GetAsync"/> too).</summary>
    public bool TryGetInProcess(ReadOnlySpan<char> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CacheEntry? entry)
        => TryGet(key, out entry);

    public ValueTask<bool> SetAsync(CacheEntry entry, CancellationToken ct) => new(Set(entry));

    /// <summary>The in-process store is always reachable.</summary>
    public ValueTask<bool> PingAsync(CancellationToken ct) => new(true);

    public ValueTask RemoveAsync(string key, CancellationToken ct)
    {
        Remove(key);
        return ValueTask.CompletedTask;
    }

    public void Remove(string key)
    {
        lock (_writeLock)
        {
            if (_map.TryRemove(key, out var slot))
            {
                Unlink(slot);
            }
        }
    }

    /// <summary>Drops every entry (an L1 that may have missed invalidations starts again empty).</summary>
    public void Clear()
    {
        lock (_writeLock)
        {
            _map.Clear();
            _index.Clear();
            _ring.Clear();
            _hand = null;
            _bytes = 0;
        }
    }

    /// <summary>A snapshot of the stored entries, for listings; never used on the request path.</summary>
    public IReadOnlyList<CacheEntry> Snapshot() => [.. _map.Values.Select(s => s.Entry)];

    public ValueTask<IReadOnlyList<CacheEntry>> FindAsync(string clockKey, int limit, CancellationToken ct)
    {
        var found = new List<CacheEntry>();
        lock (_writeLock)
        {
            if (_index.TryGetValue(clockKey, out var keys))
            {
                foreach (var key in keys)
                {
                    if (found.Count >= limit)
                    {
                        break;
                    }

                    if (_map.TryGetValue(key, out var slot))
                    {
                        found.Add(slot.Entry);
                    }
                }
            }
        }

        return new ValueTask<IReadOnlyList<CacheEntry>>(found);
    }

    public ValueTask<IReadOnlyList<CacheEntry>> ListAsync(string pathPrefix, int limit, CancellationToken ct)
    {
        IReadOnlyList<CacheEntry> list = [.. _map.Values
            .Select(s => s.Entry)
            .Where(e => !e.IsMarker && e.Path.StartsWith(pathPrefix, StringComparison.Ordinal))
            .OrderBy(e => e.Path, StringComparer.Ordinal)
            .ThenBy(e => e.Key, StringComparer.Ordinal)
            .Take(limit)];
        return new ValueTask<IReadOnlyList<CacheEntry>>(list);
    }

    /// <summary>
    /// Stores <paramref name="entry"/> unless a newer render of its key is stored or it is larger than the whole store;
    /// its hit heads are made first.
    /// </summary>
    public bool Set(CacheEntry entry)
    {
        entry.PrepareHitHeads();
        var size = entry.Size;
        if (size > _maxBytes)
        {
            return false;
        }

        List<CacheEntry>? evicted = null;
        lock (_writeLock)
        {
            if (_map.TryGetValue(entry.Key, out var existing))
            {
                if (existing.Entry.RenderStartedAt > entry.RenderStartedAt)
                {
                    return false;                                     // a newer render is already stored
                }

                _bytes += size - existing.Size;
                Unindex(existing.Entry);
                Index(entry);
                existing.Entry = entry;
                existing.Size = size;
                existing.Referenced = true;
            }
            else
            {
                var slot = new Slot(entry, size);
                slot.Node = _hand is null ? _ring.AddLast(slot) : _ring.AddBefore(_hand, slot);
                _map[entry.Key] = slot;
                Index(entry);
                _bytes += size;
            }

            while (_bytes > _maxBytes && _ring.Count > 0)
            {
                var victim = Advance();
                (evicted ??= []).Add(victim.Entry);
            }
        }

        if (evicted is not null && Evicted is { } handler)
        {
            foreach (var victim in evicted)
            {
                handler(victim);
            }
        }

        return _map.ContainsKey(entry.Key);
    }

    // Moves the hand until it finds an unreferenced slot, clearing reference bits on the way, and evicts that slot.
    private Slot Advance()
    {
        while (true)
        {
            var node = _hand ?? _ring.First!;                         // the ring is not empty: the caller checked Count
            _hand = node.Next ?? _ring.First;
            var slot = node.Value;
            if (slot.Referenced)
            {
                slot.Referenced = false;
                continue;
            }

            _map.TryRemove(new KeyValuePair<string, Slot>(slot.Entry.Key, slot));
            Unlink(slot);
            return slot;
        }
    }

    private void Unlink(Slot slot)
    {
        if (slot.Node is not { } node || node.List is null)
        {
            return;
        }

        if (_hand == node)
        {
            _hand = node.Next ?? (_ring.First == node ? null : _ring.First);
        }

        _ring.Remove(node);
        Unindex(slot.Entry);
        if (_ring.Count == 0)
        {
            _hand = null;
        }

        _bytes -= slot.Size;
    }

    private void Index(CacheEntry entry)
    {
        foreach (var clockKey in entry.ClockKeys)
        {
            if (!_index.TryGetValue(clockKey, out var keys))
            {
                _index[clockKey] = keys = new HashSet<string>(StringComparer.Ordinal);
            }

            keys.Add(entry.Key);
        }
    }

    private void Unindex(CacheEntry entry)
    {
        foreach (var clockKey in entry.ClockKeys)
        {
            if (_index.TryGetValue(clockKey, out var keys) && keys.Remove(entry.Key) && keys.Count == 0)
            {
                _index.Remove(clockKey);
            }
        }
    }

    private sealed class Slot(CacheEntry entry, long size)
    {
        public CacheEntry Entry { get; set; } = entry;

        public long Size { get; set; } = size;

        public LinkedListNode<Slot>? Node { get; set; }

        // Written by readers without a lock: a lost update only costs one extra turn of the clock.
        public bool Referenced { get; set; }
    }
}
